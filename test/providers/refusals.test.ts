/** Business refusals of every service carry a stable machine code and a text in Russian. */
import { expect } from 'chai';
import { CARDS_REFUSAL_CODES, cardRejection } from '../../src/providers/cards/rules.js';
import { ProviderRejection, type RejectionCode } from '../../src/providers/contract.js';
import { LAB_RESULTS_REFUSAL_CODES, refusal } from '../../src/providers/lab-results/refusals.js';
import {
  DOCUMENTS_REFUSAL_CODES,
  refusal as documentsRefusal,
} from '../../src/providers/documents/refusals.js';
import { REFERENCE_BOOK_REFUSALS } from '../../src/providers/reference-books/index.js';

const CYRILLIC = /[А-Яа-яЁё]/;
const REASONS: readonly RejectionCode[] = [
  'ACCESS_DENIED',
  'NO_DATA',
  'UNKNOWN_REQUEST_DESCRIPTION',
  'FAILURE',
];

/** Every code of a service: one ProviderRejection, `CODE: Russian text (detail)`, under a SMEV reason. */
function expectRefusals<Code extends string>(
  codes: readonly Code[],
  make: (code: Code, detail?: string) => ProviderRejection,
): void {
  expect(codes.length).to.be.greaterThan(1);
  for (const code of codes) {
    const rejection = make(code, 'detail');
    expect(rejection, code).to.be.instanceOf(ProviderRejection);
    expect(rejection.code, code).to.equal(code);
    expect(REASONS, code).to.include(rejection.reason);
    const { description } = rejection.outcome as { description: string };
    expect(description.startsWith(`${code}: `), code).to.equal(true);
    expect(description, code).to.match(CYRILLIC);
    expect(description.endsWith(' (detail)'), code).to.equal(true);
    expect(make(code).outcome).to.deep.include({ kind: 'rejected', code: rejection.reason });
    expect(make(code).message.endsWith(')'), `${code} without a detail has no parentheses`).to.equal(false);
  }
}

describe('business refusals in Russian with stable codes', () => {
  it('lab-results service: CODE: Russian text (detail), for every code', () => {
    expect(LAB_RESULTS_REFUSAL_CODES.length).to.be.greaterThan(10);
    expectRefusals(LAB_RESULTS_REFUSAL_CODES, refusal);
  });

  it('documents service: CODE: Russian text (detail), for every code', () => {
    expect(DOCUMENTS_REFUSAL_CODES.length).to.be.greaterThan(20);
    expectRefusals(DOCUMENTS_REFUSAL_CODES, documentsRefusal);
  });

  it('cards service: CODE: Russian text (detail), for every code', () => {
    expectRefusals(CARDS_REFUSAL_CODES, cardRejection);
  });

  it('reference-books service: every machine code has a Russian text', () => {
    for (const [code, [, text]] of Object.entries(REFERENCE_BOOK_REFUSALS))
      expect(text, code).to.match(CYRILLIC);
  });
});
