/**
 * The top bar's sign-in control: who is at the console ("值班员 · 值班操作员") and a sign-in button that opens a
 * login/password dialog, or a sign-out button back to the duty operator. The password goes from the field straight to
 * the feed server (SessionStore.signIn) and the field is cleared: it is never stored, logged or audited.
 */
import { autorun } from 'mobx';
import { errorText, fmtTime, t } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import { button, h } from './dom.ts';

export function mountSessionControl(store: RootStore, box: HTMLElement): () => void {
  const dispose = autorun(() => {
    void store.ui.locale;
    const s = store.session;
    // before the server has answered "who am I", the page is the duty operator
    const user = store.people.user ?? { name: store.ui.actor, role: 'operator' as const };
    box.replaceChildren(
      h(
        'span',
        {
          class: 'session-user',
          'data-testid': 'session-user',
          'data-role': user.role,
          'data-login': s.login ?? '',
          title: s.login ? t('auth.until', { time: fmtTime(s.expiresAt) }) : t('auth.current'),
        },
        // the name is data (as journaled); the role is UI text
        h('span', { class: 'session-name', 'data-i18n-data': '' }, user.name),
        ` · ${t(`auth.role.${user.role}`)}`,
      ),
      s.ended && !s.login ? h('span', { class: 'session-ended', 'data-testid': 'session-ended', title: t('auth.ended') }, '!') : '',
      s.login
        ? button(t('auth.signOut'), { 'data-testid': 'sign-out', title: t('auth.signOutTitle'), disabled: s.busy }, () => void store.session.signOut())
        : button(t('auth.signIn'), { 'data-testid': 'sign-in', disabled: s.busy }, () => openSignInDialog(store)),
    );
  });
  return () => {
    dispose();
    document.getElementById('sign-in-dialog')?.remove();
  };
}

export function openSignInDialog(store: RootStore): void {
  document.getElementById('sign-in-dialog')?.remove();
  const dlg = h('dialog', { id: 'sign-in-dialog', class: 'screens-dialog sign-in-dialog', 'data-testid': 'sign-in-dialog' });
  const login = h('input', { type: 'text', name: 'username', autocomplete: 'username', maxlength: 64, required: true, 'data-testid': 'sign-in-login' });
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    maxlength: 256,
    required: true,
    'data-testid': 'sign-in-password',
  });
  const error = h('div', { class: 'error', 'data-testid': 'sign-in-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'active', 'data-testid': 'sign-in-submit' }, t('auth.submit'));
  const form = h(
    'form',
    { method: 'dialog', class: 'sign-in-form' },
    h('label', {}, t('auth.login'), login),
    h('label', {}, t('auth.password'), password),
    error,
    h(
      'div',
      { class: 'screens-actions' },
      button(t('auth.cancel'), { type: 'button', 'data-testid': 'sign-in-cancel' }, () => dlg.close()),
      submit,
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const pw = password.value;
    password.value = '';
    submit.disabled = true;
    submit.textContent = t('auth.busy');
    error.textContent = '';
    void store.session.signIn(login.value, pw).then((err) => {
      submit.disabled = false;
      submit.textContent = t('auth.submit');
      if (!err) return dlg.close();
      error.textContent = errorText(err);
      password.focus();
    });
  });
  dlg.append(
    h('h2', {}, t('auth.dialog.title')),
    h('p', { class: 'muted' }, t('auth.dialog.note')),
    store.session.demoAccounts
      ? h('p', { class: 'muted', 'data-testid': 'sign-in-demo' }, t('auth.dialog.demo'))
      : h('p', { class: 'muted', 'data-testid': 'sign-in-no-demo' }, t('auth.dialog.noDemo')),
    form,
  );
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  login.focus();
}
