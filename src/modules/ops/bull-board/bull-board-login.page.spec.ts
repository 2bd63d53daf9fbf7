import { renderLoginPage } from './bull-board-login.page';

describe(renderLoginPage.name, () => {
  it('is a form posting email and password to /bull-board/login, without script', () => {
    const sut = renderLoginPage();
    expect(sut).toContain('<form method="post" action="/bull-board/login">');
    expect(sut).toContain('name="email"');
    expect(sut).toContain('name="password"');
    expect(sut).not.toMatch(/<script/i);
    expect(sut).not.toContain('role="alert"');
  });

  it('escapes the refilled email and the error', () => {
    const sut = renderLoginPage({ email: '"><script>x</script>', error: 'a < b & c' });
    expect(sut).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(sut).toContain('<p class="error" role="alert">a &lt; b &amp; c</p>');
    expect(sut).not.toMatch(/<script/i);
  });
});
