import { signal } from '@preact/signals';
import { setToken, token } from '../api.ts';
import { lang, setLang, t, tWord } from '../i18n/index.ts';
import { liveState, POLL_S } from '../live.ts';
import { authProblem, boot, me, site } from '../state.ts';

const signingIn = signal(false);
const draft = signal('');

function LiveBadge() {
  const state = liveState.value;
  const text =
    state === 'open'
      ? t('live.open')
      : state === 'polling'
        ? t('live.polling', { s: POLL_S })
        : state === 'connecting'
          ? t('live.connecting')
          : t('live.reconnecting');
  return (
    <span class={`live live-${state}`} role="status" data-testid="live" data-state={state}>
      <span class="dot" aria-hidden="true" /> {text}
    </span>
  );
}

function SignIn() {
  if (token.value && me.value && authProblem.value === null) {
    return (
      <span class="who">
        <span data-testid="role" data-role={me.value.role}>
          {t('signin.as', { name: me.value.name ?? '', role: tWord('role', me.value.role) })}
        </span>{' '}
        <button
          type="button"
          onClick={() => {
            setToken(null);
            void boot();
          }}
        >
          {t('signin.out')}
        </button>
      </span>
    );
  }
  if (!signingIn.value && authProblem.value === null) {
    return (
      <span class="who">
        <span data-testid="role" data-role="anonymous">
          {tWord('role', 'anonymous')}
        </span>{' '}
        <button type="button" onClick={() => (signingIn.value = true)}>
          {t('signin.open')}
        </button>
      </span>
    );
  }
  return (
    <form
      class="signin"
      onSubmit={(e) => {
        e.preventDefault();
        setToken(draft.value.trim() || null);
        draft.value = '';
        signingIn.value = false;
        void boot();
      }}
    >
      {authProblem.value && (
        <span class="refusal" role="alert">
          {authProblem.value === 'invalid' ? t('signin.invalid') : t('signin.required')}
        </span>
      )}
      <label>
        {t('signin.token')}{' '}
        <input
          type="password"
          autoComplete="off"
          value={draft.value}
          onInput={(e) => {
            draft.value = e.currentTarget.value;
          }}
        />
      </label>
      <button type="submit">{t('signin.submit')}</button>
      <button type="button" onClick={() => (signingIn.value = false)}>
        {t('signin.cancel')}
      </button>
    </form>
  );
}

export function Header() {
  return (
    <header class="top">
      <h1>
        {t('app.title')} <span class="site">{site.value?.name}</span>
      </h1>
      <LiveBadge />
      <SignIn />
      <label class="lang">
        <span class="sr-only">{t('lang.label')}</span>
        <select
          value={lang.value}
          onChange={(e) => setLang(e.currentTarget.value === 'zh' ? 'zh' : 'en')}
          aria-label={t('lang.label')}
        >
          <option value="en" lang="en">
            English
          </option>
          <option value="zh" lang="zh-CN">
            中文
          </option>
        </select>
      </label>
    </header>
  );
}
