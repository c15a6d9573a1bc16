/** The customer's site the tests' widgets allow. */
export const ORIGIN = 'https://shop.example.com';
/** Another site of the same customer, allowed only where a test adds it. */
export const OTHER_ORIGIN = 'https://www.shop.example.com';
/** A site no test widget allows. */
export const FOREIGN_ORIGIN = 'https://evil.example.net';
