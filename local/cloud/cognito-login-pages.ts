/**
 * The local sign-in pages, server-rendered with no script: a password page, then a TOTP code page (for a new user: a
 * new password page, then an authenticator setup page). English or
 * Bahasa Indonesia: `?lang=` (kept through the forms), else the browser's `Accept-Language`, else Indonesian.
 */
export type Language = 'en' | 'id';

const TEXT = {
  en: {
    title: 'Sign in to Tenggat',
    username: 'Username',
    password: 'Password',
    signIn: 'Sign in',
    codeTitle: 'Enter your authenticator code',
    codeHelp: 'Open your authenticator app and enter the 6-digit code for Tenggat.',
    code: 'Code',
    verify: 'Verify',
    badPassword: 'Incorrect username or password.',
    badCode: 'Incorrect code. Try the current code from your authenticator app.',
    locked: 'Too many failed attempts. Wait a minute, then try again.',
    expired: 'This sign-in has expired. Go back to the console and sign in again.',
    newPasswordTitle: 'Choose a new password',
    newPasswordHelp: 'At least 14 characters with upper- and lower-case letters, a digit and a symbol.',
    newPassword: 'New password',
    savePassword: 'Set password',
    weakPassword: 'The password does not meet the rules below.',
    setupTitle: 'Set up your authenticator app',
    setupHelp:
      'Tenggat needs a code from an authenticator app at every sign-in. Add this key to your app (or open the link on a phone that has one), then enter the 6-digit code it shows.',
    setupSecret: 'Key',
    setupUri: 'Setup link',
  },
  id: {
    title: 'Masuk ke Tenggat',
    username: 'Nama pengguna',
    password: 'Kata sandi',
    signIn: 'Masuk',
    codeTitle: 'Masukkan kode autentikator Anda',
    codeHelp: 'Buka aplikasi autentikator Anda dan masukkan kode 6 digit untuk Tenggat.',
    code: 'Kode',
    verify: 'Verifikasi',
    badPassword: 'Nama pengguna atau kata sandi salah.',
    badCode: 'Kode salah. Gunakan kode terbaru dari aplikasi autentikator Anda.',
    locked: 'Terlalu banyak percobaan gagal. Tunggu satu menit, lalu coba lagi.',
    expired: 'Sesi masuk ini telah berakhir. Kembali ke konsol dan masuk lagi.',
    newPasswordTitle: 'Pilih kata sandi baru',
    newPasswordHelp: 'Minimal 14 karakter dengan huruf besar dan kecil, angka, dan simbol.',
    newPassword: 'Kata sandi baru',
    savePassword: 'Simpan kata sandi',
    weakPassword: 'Kata sandi tidak memenuhi aturan di bawah.',
    setupTitle: 'Siapkan aplikasi autentikator Anda',
    setupHelp:
      'Tenggat meminta kode dari aplikasi autentikator setiap kali masuk. Tambahkan kunci ini ke aplikasi Anda (atau buka tautan di ponsel yang memilikinya), lalu masukkan kode 6 digit yang ditampilkannya.',
    setupSecret: 'Kunci',
    setupUri: 'Tautan penyiapan',
  },
} as const;

export type Message = 'badPassword' | 'badCode' | 'locked' | 'expired' | 'weakPassword';

/** `?lang=` wins; else the `Accept-Language` entry with the highest weight among en and id; else Indonesian. */
export function languageOf(asked: string | null | undefined, acceptLanguage: string | undefined): Language {
  if (asked === 'en' || asked === 'id') return asked;
  let best: { language: Language; weight: number } | null = null;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const [tag = '', ...parameters] = part.trim().toLowerCase().split(';');
    const primary = tag.split('-')[0];
    if (primary !== 'en' && primary !== 'id') continue;
    const q = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q ? Number(q.slice(2)) : 1;
    if (Number.isFinite(weight) && weight > 0 && (best === null || weight > best.weight))
      best = { language: primary, weight };
  }
  return best?.language ?? 'id';
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(language: Language, title: string, body: string): string {
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:24rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
label{display:block;margin-top:1rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem}
[role=alert]{color:#8b0000;border-left:4px solid #8b0000;padding-left:.5rem}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

const alert = (language: Language, message: Message | null) =>
  message ? `<p role="alert">${escapeHtml(TEXT[language][message])}</p>\n` : '';
const hidden = (name: string, value: string) =>
  `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

/** Step 1: username and password. */
export function passwordPage(
  language: Language,
  input: { action: string; session: string; username?: string; message: Message | null },
): string {
  const t = TEXT[language];
  return page(
    language,
    t.title,
    `${alert(language, input.message)}<form method="post" action="${escapeHtml(input.action)}">
${hidden('session', input.session)}${hidden('lang', language)}
<label for="username">${t.username}</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" required value="${escapeHtml(input.username ?? '')}">
<label for="password">${t.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">${t.signIn}</button>
</form>`,
  );
}

/** Step 2: the TOTP code. */
export function codePage(
  language: Language,
  input: { action: string; session: string; message: Message | null },
): string {
  const t = TEXT[language];
  return page(
    language,
    t.codeTitle,
    `${alert(language, input.message)}<p id="code-help">${t.codeHelp}</p>
<form method="post" action="${escapeHtml(input.action)}">
${hidden('session', input.session)}${hidden('lang', language)}
<label for="code">${t.code}</label>
<input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" aria-describedby="code-help" required>
<button type="submit">${t.verify}</button>
</form>`,
  );
}

/** MFA_SETUP: a person with no authenticator yet is shown a new secret (base32 and its otpauth URI) and its code. */
export function setupPage(
  language: Language,
  input: { action: string; session: string; secret: string; uri: string; message: Message | null },
): string {
  const t = TEXT[language];
  return page(
    language,
    t.setupTitle,
    `${alert(language, input.message)}<p id="setup-help">${t.setupHelp}</p>
<dl>
<dt>${t.setupSecret}</dt>
<dd><code id="totp-secret">${escapeHtml(input.secret)}</code></dd>
<dt>${t.setupUri}</dt>
<dd><a id="totp-uri" href="${escapeHtml(input.uri)}" style="overflow-wrap:anywhere">${escapeHtml(input.uri)}</a></dd>
</dl>
<form method="post" action="${escapeHtml(input.action)}">
${hidden('session', input.session)}${hidden('lang', language)}
<label for="code">${t.code}</label>
<input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" aria-describedby="setup-help" required>
<button type="submit">${t.verify}</button>
</form>`,
  );
}

/** A user made by AdminCreateUser signed in with the temporary password: they choose their own. */
export function newPasswordPage(
  language: Language,
  input: { action: string; session: string; message: Message | null },
): string {
  const t = TEXT[language];
  return page(
    language,
    t.newPasswordTitle,
    `${alert(language, input.message)}<p id="password-help">${t.newPasswordHelp}</p>
<form method="post" action="${escapeHtml(input.action)}">
${hidden('session', input.session)}${hidden('lang', language)}
<label for="new-password">${t.newPassword}</label>
<input id="new-password" name="newPassword" type="password" autocomplete="new-password" aria-describedby="password-help" required>
<button type="submit">${t.savePassword}</button>
</form>`,
  );
}

/** A dead end (expired session, unknown client, a redirect URI the client does not allow): nothing to redirect to. */
export function errorPage(language: Language, message: Message | string): string {
  const text = message in TEXT[language] ? TEXT[language][message as Message] : message;
  return page(language, TEXT[language].title, `<p role="alert">${escapeHtml(text)}</p>`);
}
