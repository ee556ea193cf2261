// Folder drops. A dropped folder reaches the page as a directory entry whose
// files are listed asynchronously; the entries must be taken while the drop
// event is being dispatched, which is why this runs as plain JavaScript
// called from the Rust drop handler (src/files.rs).
//
// puffyDroppedFiles(dataTransfer) returns null when the drop holds no folder
// (the caller then reads dataTransfer.files as usual), or a Promise of
// { files: File[], skipped: string[] }: every file in the folders (walked
// recursively, in path order) and the loose files beside them; hidden files
// and folders (".DS_Store", ".git") are listed in `skipped`.
(function () {
  'use strict';

  function readAllEntries(reader) {
    // readEntries returns the folder in batches (Chromium: 100 at a time)
    // and an empty batch at the end.
    return new Promise(function (resolve, reject) {
      var all = [];
      function next() {
        reader.readEntries(function (batch) {
          if (batch.length === 0) {
            resolve(all);
          } else {
            all.push.apply(all, batch);
            next();
          }
        }, reject);
      }
      next();
    });
  }

  function fileOf(entry) {
    return new Promise(function (resolve, reject) { entry.file(resolve, reject); });
  }

  function walk(entry, out) {
    if (entry.name.charAt(0) === '.') {
      out.skipped.push(entry.fullPath.replace(/^\//, ''));
      return Promise.resolve();
    }
    if (entry.isFile) {
      return fileOf(entry).then(function (file) {
        out.found.push({ path: entry.fullPath, file: file });
      });
    }
    return readAllEntries(entry.createReader()).then(function (children) {
      return Promise.all(children.map(function (child) { return walk(child, out); }));
    });
  }

  window.puffyDroppedFiles = function (dataTransfer) {
    var items = Array.prototype.slice.call((dataTransfer && dataTransfer.items) || []);
    var taken = items
      .filter(function (item) { return item.kind === 'file'; })
      .map(function (item) {
        var entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
        return { entry: entry, file: entry ? null : item.getAsFile() };
      });
    if (!taken.some(function (t) { return t.entry && t.entry.isDirectory; })) {
      return null;
    }
    var out = { found: [], skipped: [] };
    return Promise.all(taken.map(function (t) {
      if (t.entry) return walk(t.entry, out);
      if (t.file) out.found.push({ path: '/' + t.file.name, file: t.file });
      return Promise.resolve();
    })).then(function () {
      out.found.sort(function (a, b) { return a.path < b.path ? -1 : a.path > b.path ? 1 : 0; });
      return {
        files: out.found.map(function (f) { return f.file; }),
        skipped: out.skipped.sort(),
      };
    });
  };
})();
