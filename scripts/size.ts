import { BROWSER_BUDGET_BYTES, measureBrowserBundle } from './size/measureBrowserBundle.js';

// `npm run size`: the browser client's weight on a customer's page, against its budget.
const size = await measureBrowserBundle();
const foreign = size.inputs.filter((input) => input.includes('node_modules'));
process.stdout.write(
  `kataven-widget-auth/browser: ${size.gzippedBytes} bytes minified+gzipped (${size.minifiedBytes} minified), budget ${BROWSER_BUDGET_BYTES}\n`,
);
if (foreign.length > 0) {
  process.stderr.write(
    `the browser entry must have no runtime dependencies, but bundles:\n  ${foreign.join('\n  ')}\n`,
  );
  process.exitCode = 1;
}
if (size.gzippedBytes > BROWSER_BUDGET_BYTES) {
  process.stderr.write(`over budget by ${size.gzippedBytes - BROWSER_BUDGET_BYTES} bytes\n`);
  process.exitCode = 1;
}
