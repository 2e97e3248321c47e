/**
 * libxml2's schema messages quote the value that broke a rule ("The value '2200 7000 0000 0033' is not accepted by
 * the pattern …"). A value may be personal data (a card number, a SNILS, a phone), and these messages become fault
 * texts and log lines, both kept where personal data must not be; so the value is taken out and the element and
 * the rule it broke stay. A value runs from where its template opens it to the last place the template's wording
 * goes on, so one that imitates the wording is taken out whole; found by indexOf, so a crafted value costs its
 * length, not its length squared.
 */
const HIDDEN = '(value not shown)';

interface ValueTemplate {
  /** Where the value opens: the text before it ends with this. */
  readonly opens: string;
  /** How the template goes on after the value: the value ends at the last of these. */
  readonly goesOn: readonly string[];
}

const TEMPLATES: readonly ValueTemplate[] = [
  // [facet '…'] The value '…' is not accepted by the pattern / is not an element of the set / …
  {
    opens: "The value '",
    goesOn: [
      "' is not accepted by the pattern",
      "' has a length of",
      "' is not an element of the set",
      "' is greater than",
      "' is less than",
      "' has more digits",
      "' has more fractional digits",
      "' does not match the fixed value",
      "' is not a valid value",
    ],
  },
  // Element '…'[, attribute '…']: '…' is not a valid value of the atomic / list / union type '…'.
  { opens: "': '", goesOn: ["' is not a valid value of the "] },
  // Identity constraints: Duplicate key-sequence ['…', '…'] / No match found for key-sequence ['…'] of keyref …
  { opens: 'key-sequence [', goesOn: ['] in ', '] of keyref', ']'] },
];

export function withoutValues(message: string): string {
  return TEMPLATES.reduce(hideValue, message);
}

function hideValue(message: string, { opens, goesOn }: ValueTemplate): string {
  const start = message.indexOf(opens);
  if (start < 0) return message;
  const from = start + opens.length;
  const end = Math.max(...goesOn.map((wording) => message.lastIndexOf(wording)));
  if (end < from) return message;
  return `${message.slice(0, from)}${HIDDEN}${message.slice(end)}`;
}
