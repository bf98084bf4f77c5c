// The archive's resumable upload (tus 1.0), driven from Rust (api.rs). tus-js-client is loaded
// as a classic script before the app (index.html: npm, pinned in package-lock.json, no CDN) and
// found as `window.tus`. An upload broken off (a lost connection, a reloaded page) is found
// again by the file's fingerprint in localStorage and goes on from the bytes the server holds.

// Big enough to keep requests few, small enough that a proxy's body limit is rarely met.
const CHUNK_BYTES = 32 * 1024 * 1024;

export class Resumable {
  // onResume(offset, total): an earlier upload of this file goes on from `offset`.
  // onDone(url): every byte is on the server. onFail(status, body, message): it failed
  // (status 0 when no answer came).
  constructor(file, endpoint, token, onProgress, onResume, onDone, onFail) {
    this.settled = false;
    const settle = (f) => (...args) => {
      if (!this.settled) {
        this.settled = true;
        f(...args);
      }
    };
    this.onDone = settle(onDone);
    this.onFail = settle(onFail);
    this.resuming = false;
    this.upload = new window.tus.Upload(file, {
      endpoint,
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000],
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      metadata: { filename: file.name, filetype: file.type || "application/octet-stream" },
      // Kept until the analysis is accepted (forget): a refused one (a bad knowledge base beside
      // it) is sent again without sending the archive again.
      removeFingerprintOnSuccess: false,
      onProgress: (sent, total) => onProgress(sent, total),
      onAfterResponse: (req, res) => {
        // The HEAD of a resumed upload tells how much the server already holds.
        if (this.resuming && req.getMethod() === "HEAD" && res.getStatus() === 200) {
          this.resuming = false;
          onResume(Number(res.getHeader("Upload-Offset")) || 0, file.size);
        }
      },
      onSuccess: () => this.onDone(this.upload.url),
      onError: (e) => {
        const r = e && e.originalResponse;
        this.onFail(r ? r.getStatus() : 0, r ? r.getBody() || "" : "", String((e && e.message) || e));
      },
    });
  }

  start() {
    this.upload
      .findPreviousUploads()
      .then((previous) => {
        if (previous.length > 0) {
          // The newest first: the one a reloaded page left.
          previous.sort((a, b) => String(b.creationTime).localeCompare(String(a.creationTime)));
          this.resuming = true;
          this.upload.resumeFromPreviousUpload(previous[0]);
        }
        this.upload.start();
      })
      .catch((e) => this.onFail(0, "", String(e)));
  }

  // The analysis was accepted and the server has forgotten the upload: so does this browser.
  forget() {
    const storage = this.upload.options.urlStorage;
    const url = this.upload.url;
    return this.upload
      .findPreviousUploads()
      .then((previous) =>
        Promise.all(previous.filter((p) => p.uploadUrl === url).map((p) => storage.removeUpload(p.urlStorageKey))),
      )
      .catch(() => {});
  }

  // Stops and terminates the upload: the server forgets it.
  abort() {
    this.onFail(0, "", "aborted");
    return this.upload.abort(true).catch(() => {});
  }
}
