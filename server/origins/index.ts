export { isSerializedOrigin } from './isSerializedOrigin.js';
export { parseCanonicalOrigin, type CanonicalOrigin } from './parseCanonicalOrigin.js';
export { validateAllowlistEntry, type AllowlistEntryResult } from './validateAllowlistEntry.js';
export {
  createOriginMatcher,
  type OriginMatcher,
  type OriginMatcherOptions,
} from './originMatcher.js';
