/** The text with its last character replaced by a different one, so the result never equals the input. */
export const changeLastCharacter = (text: string): string =>
  `${text.slice(0, -1)}${text.endsWith('0') ? '1' : '0'}`;
