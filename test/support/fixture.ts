/**
 * A value made before the tests of the enclosing describe (or before each of them) and disposed of after. The
 * object returned stands for it: it can be named while the describe is declared, and reads through to the value
 * of the moment. For plain objects only: a class's private fields do not pass through the proxy.
 */
export function useFixture<T extends object>(
  what: string,
  make: () => T | Promise<T>,
  dispose: (value: T) => void | Promise<void>,
  options: { each?: boolean } = {},
): T {
  let value: T | undefined;
  (options.each ? beforeEach : before)(async () => {
    value = await make();
  });
  (options.each ? afterEach : after)(async () => {
    const made = value;
    value = undefined;
    if (made !== undefined) await dispose(made);
  });
  const current = (): T => {
    if (value === undefined) throw new Error(`the ${what} is used outside the tests of its describe`);
    return value;
  };
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(current(), key),
    set: (_, key, to) => Reflect.set(current(), key, to),
    has: (_, key) => Reflect.has(current(), key),
    ownKeys: () => Reflect.ownKeys(current()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(current(), key),
  });
}
