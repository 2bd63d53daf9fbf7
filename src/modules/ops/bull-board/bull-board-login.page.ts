import { BULL_BOARD_PATH } from '../../../infra/http/configure-app';

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/**
 * The Bull Board login form: plain HTML that posts itself, no script (the CSP forbids inline script, and a
 * form needs none). `error` is shown above the form; `email` refills its field.
 */
export function renderLoginPage(view: { error?: string; email?: string } = {}): string {
  const error = view.error ? `<p class="error" role="alert">${escapeHtml(view.error)}</p>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Dispatch · Bull Board sign in</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f4f5f7; display: flex; justify-content: center; padding-top: 10vh; }
  form { background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.15); width: 20rem; }
  label { display: block; margin: .75rem 0 .25rem; }
  input { width: 100%; box-sizing: border-box; padding: .5rem; }
  button { margin-top: 1.25rem; width: 100%; padding: .6rem; }
  .error { color: #b00020; }
</style>
</head>
<body>
<form method="post" action="/${BULL_BOARD_PATH}/login">
  <h1>Bull Board</h1>
  <p>Sign in with a Dispatch admin account.</p>
  ${error}
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(view.email ?? '')}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>
</body>
</html>
`;
}
