import { describe, expect, it } from 'vitest';
import {
  evaluatePath,
  InvalidPathSyntaxError,
  invalidPathCause,
  isValidPath,
  normalizedPath,
  PathNotFoundError,
  tryEvaluatePath,
  UndefinedVariableError,
} from '../../../local/sfn/jsonpath';

const store = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings of the Century', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword of Honour', price: 12.99 },
      {
        category: 'fiction',
        author: 'Herman Melville',
        title: 'Moby Dick',
        isbn: '0-553-21311-3',
        price: 8.99,
      },
      { category: 'fiction', author: 'J. R. R. Tolkien', title: 'The Lord of the Rings', price: 22.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
  'key with space': 1,
};

describe('evaluatePath', () => {
  it('returns the whole input for $', () => {
    expect(evaluatePath('$', store)).toBe(store);
  });

  it('reads definite dot and bracket paths', () => {
    expect(evaluatePath('$.store.bicycle.color', store)).toBe('red');
    expect(evaluatePath("$['store']['bicycle']['price']", store)).toBe(19.95);
    expect(evaluatePath("$['key with space']", store)).toBe(1);
    expect(evaluatePath('$.store.book[0].author', store)).toBe('Nigel Rees');
    expect(evaluatePath('$.store.book[-1].title', store)).toBe('The Lord of the Rings');
  });

  it('answers an array for wildcards, slices, deep scans and filters', () => {
    expect(evaluatePath('$.store.book[*].author', store)).toEqual([
      'Nigel Rees',
      'Evelyn Waugh',
      'Herman Melville',
      'J. R. R. Tolkien',
    ]);
    expect(evaluatePath('$.store.book[-1:].price', store)).toEqual([22.99]);
    expect(evaluatePath('$.store.book[1:3].price', store)).toEqual([12.99, 8.99]);
    expect(evaluatePath('$.store.book[:2].price', store)).toEqual([8.95, 12.99]);
    expect(evaluatePath('$.store.book[0,2].price', store)).toEqual([8.95, 8.99]);
    expect(evaluatePath('$..price', store)).toEqual([8.95, 12.99, 8.99, 22.99, 19.95]);
    expect(evaluatePath('$.store.book[?(@.price < 10)].title', store)).toEqual([
      'Sayings of the Century',
      'Moby Dick',
    ]);
    expect(evaluatePath('$.store.book[?(@.isbn)].title', store)).toEqual(['Moby Dick']);
    expect(evaluatePath("$.store.book[?(@.category == 'fiction' && @.price > 20)].author", store)).toEqual([
      'J. R. R. Tolkien',
    ]);
    expect(evaluatePath('$.store.book[?(@.author =~ /.*Melville/)].price', store)).toEqual([8.99]);
  });

  it('answers an empty array when an indefinite path matches nothing', () => {
    expect(evaluatePath('$.items[*]', {})).toEqual([]);
    expect(evaluatePath('$.item.items[1:5].itemValue', {})).toEqual([]);
  });

  it('applies functions at the end of a path', () => {
    expect(evaluatePath('$.store.book.length()', store)).toBe(4);
    expect(evaluatePath('$.store.book[*].price.max()', store)).toBe(22.99);
    expect(evaluatePath('$.store.bicycle.keys()', store)).toEqual(['color', 'price']);
  });

  it('reads the context object through $$ and variables through $name', () => {
    const context = { Execution: { Name: 'run-1' } };
    expect(evaluatePath('$$.Execution.Name', { unrelated: true }, { context })).toBe('run-1');
    expect(evaluatePath('$answer', {}, { variables: { answer: 42 } })).toBe(42);
    expect(evaluatePath('$order.items[0]', {}, { variables: { order: { items: ['a'] } } })).toBe('a');
    expect(() => evaluatePath('$missing', {}, { variables: {} })).toThrow(UndefinedVariableError);
  });

  it("fails like Jayway when a definite path selects nothing, with AWS's cause text", () => {
    const leaf = captureError(() => evaluatePath('$.NoSuchOutputPath', { 'int-literal': 0 }));
    expect(leaf).toBeInstanceOf(PathNotFoundError);
    expect(invalidPathCause('$.NoSuchOutputPath', leaf)).toBe(
      "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']",
    );
    const intermediate = captureError(() => evaluatePath('$.no.such.result.path', {}));
    expect(invalidPathCause('$.no.such.result.path', intermediate)).toBe(
      "Invalid path '$.no.such.result.path' : Missing property in path $['no']",
    );
    expect(() => evaluatePath('$.list[5]', { list: [1] })).toThrow(PathNotFoundError);
    expect(tryEvaluatePath('$.a.b', { a: 1 })).toBeUndefined();
  });

  it('keeps a backslash that does not escape the quote in a bracket name', () => {
    expect(evaluatePath(`$['Test\\""Name"']`, { 'Test\\""Name"': 'Value' })).toBe('Value');
    expect(evaluatePath("$['it\\'s']", { "it's": 1 })).toBe(1);
  });

  it('rejects malformed paths', () => {
    for (const bad of ['', 'a.b', '$.', '$[', '$.a[x]', '$.a..', '$.a.length().b']) {
      expect(isValidPath(bad), bad).toBe(false);
      expect(() => evaluatePath(bad, {})).toThrow(InvalidPathSyntaxError);
    }
  });

  it('normalizes paths the way Jayway prints them', () => {
    expect(normalizedPath('$.a.b[0]')).toBe("$['a']['b'][0]");
  });
});

function captureError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}
