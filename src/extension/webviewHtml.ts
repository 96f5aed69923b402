// The one HTML function for every webview (webview-view-sample): a strict
// CSP with a per-load nonce, scripts and styles from the extension's own
// folders via asWebviewUri, and no data: what a panel shows arrives by
// postMessage after it says `ready`.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** The folders a webview may load from: the bundle and the stylesheets. */
export function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export interface WebviewPage {
  /** Module script under dist/. */
  script: string;
  /** Stylesheets under media/. */
  styles: string[];
  /** Shown until the script has rendered; static text (data goes by postMessage), escaped all the same. */
  loading: string;
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(16).toString('base64');
  const src = (...parts: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  const csp = [
    `default-src 'none'`,
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}' ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
  ].join('; ');
  const links = page.styles.map((s) => `<link rel="stylesheet" href="${src('media', s)}">`).join('\n  ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  ${links}
  <title>QuantLab</title>
</head>
<body>
  <main id="root" aria-busy="true"><p class="loading">${escapeHtml(page.loading)}</p></main>
  <script type="module" nonce="${nonce}" src="${src('dist', page.script)}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
