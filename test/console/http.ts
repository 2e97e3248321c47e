/** The console over plain HTTP, as a script or an attacker sends it: no browser, cookies and forms by hand. */
import { expect } from 'chai';

export interface Answer {
  status: number;
  location: string | null;
  cookies: string[];
  text: string;
  csp: string | null;
}

export async function http(
  url: string,
  init: { method?: string; cookie?: string; form?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method: init.method ?? (init.form ? 'POST' : 'GET'),
    redirect: 'manual',
    headers: {
      ...(init.cookie ? { cookie: init.cookie } : {}),
      ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    cookies: response.headers.getSetCookie(),
    text: await response.text(),
    csp: response.headers.get('content-security-policy'),
  };
}

export const csrfIn = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
export const pair = (setCookie: string) => setCookie.split(';')[0] ?? '';

/** Sign in to the console at `base` over HTTP: the session cookie (`name=value`) and a page's CSRF token. */
export async function httpSignIn(
  base: string,
  token: string,
): Promise<{ cookie: string; setCookie: string; csrf: string }> {
  const form = await http(`${base}/console/sign-in`);
  const pre = pair(form.cookies.find((c) => c.startsWith('console_presession='))!);
  const signedIn = await http(`${base}/console/sign-in`, {
    cookie: pre,
    form: { _csrf: csrfIn(form.text), token },
  });
  expect(signedIn.status, signedIn.text).to.equal(303);
  const setCookie = signedIn.cookies.find((c) => c.startsWith('console_session='))!;
  const cookie = pair(setCookie);
  const dashboard = await http(`${base}/console/dashboard`, { cookie });
  return { cookie, setCookie, csrf: csrfIn(dashboard.text) };
}
