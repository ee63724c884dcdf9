/**
 * The default tenant's certificate from the settings (BANKID_CERT_FILE, or the PEM pair), reloaded when its file
 * changes: Kubernetes updates a mounted secret by swapping a symlink in the directory, so the directory is watched,
 * and a content hash tells a real change from the events around it. A changed file that does not load (half
 * written, wrong passphrase) is logged and the current certificate kept. Events are coalesced: at most one reload
 * runs at a time, and one more after it if something changed meanwhile.
 */
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { loadRpCertificateFiles, type RpCertificate, type RpCertificateFiles } from '../bankid/certificate.ts';
import type { Logger } from '../observability/logger.ts';

export interface SettingsCertificateOptions {
  logger: Logger;
  /** Called after a reload with the new and the replaced certificate (to close the old one's connections). */
  onChange?: (next: RpCertificate, previous: RpCertificate) => void;
  /** Events within this many ms make one reload. Default 200. */
  settleMs?: number;
}

function paths(files: RpCertificateFiles): string[] {
  return [files.certFile ?? files.certPemFile, files.certFile ? undefined : files.keyPemFile].filter((p): p is string => Boolean(p));
}

/** A hash of every file's content; a missing file hashes as such, so its return counts as a change. */
function contentHash(files: RpCertificateFiles): string {
  const hash = createHash('sha256');
  for (const path of paths(files)) {
    try {
      hash.update(readFileSync(path));
    } catch {
      hash.update(`missing:${path}`);
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}

export class SettingsCertificate {
  readonly #files: RpCertificateFiles;
  readonly #o: SettingsCertificateOptions;
  #current: RpCertificate;
  #hash: string;
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | undefined;
  #again = false;

  /** Loads the files now; throws CertificateError as at start-up today. */
  constructor(files: RpCertificateFiles, options: SettingsCertificateOptions) {
    this.#files = files;
    this.#o = options;
    this.#hash = contentHash(files);
    this.#current = loadRpCertificateFiles(files, { logger: options.logger });
  }

  get current(): RpCertificate {
    return this.#current;
  }

  /** Starts watching the files' directories. */
  watch(): this {
    for (const dir of new Set(paths(this.#files).map((p) => dirname(p)))) {
      const watcher = watch(dir, { persistent: false }, () => this.#schedule());
      watcher.on('error', (err) => this.#o.logger.warn({ dir, err: err.message }, 'cannot watch the BankID certificate directory; changes are seen by the periodic check'));
      this.#watchers.push(watcher);
    }
    return this;
  }

  /** Reloads if the content changed; resolves with whether the certificate was replaced. */
  reloadIfChanged(): Promise<boolean> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#reload().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.#schedule();
      }
    });
    return this.#running;
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers = [];
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => { void this.reloadIfChanged(); }, this.#o.settleMs ?? 200);
    this.#timer.unref();
  }

  async #reload(): Promise<boolean> {
    const hash = contentHash(this.#files);
    if (hash === this.#hash) return false;
    this.#hash = hash;
    let next: RpCertificate;
    try {
      next = loadRpCertificateFiles(this.#files, { logger: this.#o.logger });
    } catch (err) {
      this.#o.logger.error({ err: (err as Error).message, fingerprint: this.#current.fingerprint }, 'the BankID certificate file changed but cannot be used; keeping the current certificate');
      return false;
    }
    if (next.fingerprint === this.#current.fingerprint) return false;
    const previous = this.#current;
    this.#current = next;
    this.#o.logger.info({ fingerprint: next.fingerprint, previous: previous.fingerprint, subject: next.subject, daysLeft: next.daysLeft() }, 'BankID certificate file changed: new certificate in use');
    this.#o.onChange?.(next, previous);
    return true;
  }
}
