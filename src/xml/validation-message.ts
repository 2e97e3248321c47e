/**
 * libxml2's schema messages quote the value that broke a rule ("The value '2200 7000 0000 0033' is not accepted by
 * the pattern …"). A value may be personal data (a card number, a SNILS, a phone), and these messages become fault
 * texts and log lines, both kept where personal data must not be; so the value is taken out and the element and
 * the rule it broke stay. Each template's value runs to the last place its wording goes on, so a value that
 * imitates the wording is taken out whole.
 */
const HIDDEN = '(value not shown)';

const TEMPLATES: readonly [RegExp, string][] = [
  // [facet '…'] The value '…' is not accepted by the pattern / has a length of / is not an element of the set / …
  [
    /The value '.*' (is not accepted by the pattern|has a length of|is not an element of the set|is greater than|is less than|has more digits|has more fractional digits|does not match the fixed value|is not a valid value)/s,
    `The value ${HIDDEN} $1`,
  ],
  // Element '…'[, attribute '…']: '…' is not a valid value of the atomic / list / union type '…'.
  [
    /^(Element '.*?'(?:, attribute '.*?')?: )'.*' is not a valid value of the /s,
    `$1${HIDDEN} is not a valid value of the `,
  ],
  // Identity constraints: Duplicate key-sequence ['…', '…'] / No match found for key-sequence ['…'] of keyref …
  [/key-sequence \[.*\]/s, `key-sequence [${HIDDEN}]`],
];

export function withoutValues(message: string): string {
  return TEMPLATES.reduce((text, [template, replacement]) => text.replace(template, replacement), message);
}
