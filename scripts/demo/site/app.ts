import {
  createWidgetAuth,
  KatavenError,
  type WidgetAuth,
  type WidgetConfig,
  type WidgetSession,
} from '../../../clients/browser/index.js';

/** The demo site's page: the widget's launcher from its config, and its session, live. */

interface Settings {
  apiBaseUrl: string;
  clientKey: string;
}

/** The site's own login state (a real site has its own session for this). */
const SIGNED_IN = 'acme-demo:signed-in';

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element;
}

const settings = JSON.parse(byId('settings').textContent ?? '{}') as Settings;
byId('page-origin').textContent = location.origin;
byId('api-origin').textContent = new URL(settings.apiBaseUrl).origin;

let auth: WidgetAuth | undefined;
let unsubscribe: () => void = () => undefined;
let launcherShown = false;
let last: WidgetSession | null = null;
let refreshes = 0;

const describe = (error: unknown) =>
  error instanceof KatavenError ? `${error.code}: ${error.message}` : String(error);

function log(text: string) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} — ${text}`;
  byId('log').prepend(item);
}

function setStatus(text: string) {
  byId('status').textContent = text;
}

function showExpiry() {
  // The server's expiry against this device's clock: fine for a display on one machine. The
  // client itself never compares the two; it times refreshes from elapsed time.
  byId('expires-in').textContent = last
    ? `${Math.max(0, Math.round((Date.parse(last.expires_at) - Date.now()) / 1000))} s`
    : '—';
}

function onSession(session: WidgetSession | null) {
  if (session && last && session.visitor.id === last.visitor.id) {
    if (session.expires_at !== last.expires_at) {
      refreshes += 1;
      log('Session token refreshed ahead of expiry');
    }
  } else if (session) {
    log(`Session started: ${session.visitor.kind} ${session.visitor.id}`);
  } else if (last) {
    log('Session ended');
  }
  last = session;
  byId('visitor-id').textContent = session?.visitor.id ?? '—';
  byId('visitor-kind').textContent = session?.visitor.kind ?? '—';
  byId('visitor-name').textContent = session?.visitor.name ?? '—';
  byId('refreshes').textContent = String(refreshes);
  showExpiry();
}

function renderLauncher(config: WidgetConfig) {
  const { branding, copy, agent } = config;
  const widget = byId('widget');
  widget.className = branding.position;
  const launcher = byId('launcher');
  launcher.textContent = copy.title;
  launcher.style.background = branding.primary_color;
  launcher.style.color = branding.background_color;
  const panel = byId('widget-panel');
  panel.style.background = branding.background_color;
  panel.style.color = branding.text_color;
  byId('widget-title').textContent = agent.display_name;
  byId('widget-greeting').textContent = copy.greeting;
  byId('widget-input').setAttribute('placeholder', copy.placeholder);
  launcher.onclick = () => {
    panel.hidden = !panel.hidden;
    launcher.setAttribute('aria-expanded', String(!panel.hidden));
  };
  widget.hidden = false;
}

/** Asks the site's backend, which vouches for the signed-in user with its secret key. */
async function fetchUserToken(): Promise<string> {
  const response = await fetch('/sign-in', { method: 'POST' });
  if (!response.ok) throw new Error(await response.text());
  return ((await response.json()) as { token: string }).token;
}

async function start(signedIn: boolean) {
  unsubscribe();
  auth?.destroy();
  const current = createWidgetAuth({
    baseUrl: settings.apiBaseUrl,
    clientKey: settings.clientKey,
    ...(signedIn ? { fetchUserToken } : {}),
  });
  auth = current;
  byId('sign-in').hidden = signedIn;
  unsubscribe = current.subscribe(onSession);
  // A session this tab or another one stored earlier is picked up at once.
  onSession(current.session);
  if (!launcherShown) {
    launcherShown = true;
    current.getConfig().then(renderLauncher, (error: unknown) => {
      log(`Could not load the widget config: ${describe(error)}`);
    });
  }
  setStatus(signedIn ? 'Signing in as Ada…' : 'Starting a guest session…');
  try {
    await current.getSessionToken();
    setStatus(`Session ready — ${current.session?.visitor.kind ?? 'none'}`);
  } catch (error) {
    setStatus(`Could not start a session: ${describe(error)}`);
  }
}

async function switchTo(signedIn: boolean) {
  try {
    await auth?.signOut();
  } catch (error) {
    log(`Sign-out did not reach the server: ${describe(error)}`);
  }
  if (signedIn) sessionStorage.setItem(SIGNED_IN, '1');
  else sessionStorage.removeItem(SIGNED_IN);
  await start(signedIn);
}

byId('sign-in').onclick = () => void switchTo(true);
byId('sign-out').onclick = () => void switchTo(false);
setInterval(showExpiry, 1000);

void start(sessionStorage.getItem(SIGNED_IN) === '1');
