/**
 * Cells of a CSV meant for spreadsheets. A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
 * return would be read as a formula by Excel, LibreOffice or Google Sheets (CSV injection); such a cell gets a
 * leading `'` as OWASP recommends. Locators and free text come from agencies and platforms, so every text cell
 * goes through here; numbers and dates are written by Tenggat and do not.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export const textCell = (value: string | null | undefined): string =>
  value === null || value === undefined ? '' : FORMULA_START.test(value) ? `'${value}` : value;

export const boolCell = (value: boolean | null | undefined): string =>
  value === null || value === undefined ? '' : value ? 'yes' : 'no';

export const numberCell = (value: number | null | undefined): string =>
  value === null || value === undefined ? '' : String(value);

/**
 * csv-stringify options for RFC 4180 with a UTF-8 byte order mark (spreadsheets then read UTF-8): CRLF between
 * records, and a field with a lone CR or LF quoted too (csv-stringify only looks for the record delimiter).
 */
export const SPREADSHEET_CSV = { bom: true, record_delimiter: '\r\n', quoted_match: /[\r\n]/, eof: true };
