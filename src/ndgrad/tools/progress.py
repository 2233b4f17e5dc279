"""Progress bars: tqdm when it is installed (the ``progress`` extra), else a plain one-line bar."""
import sys
import time


class _PlainBar:
    """A minimal stand-in for tqdm: ``for x in bar``, ``bar.set_postfix(...)``, one line on stderr."""

    def __init__(self, iterable, total=None, desc="", disable=False, leave=True):
        self.iterable = iterable
        self.total = total if total is not None else (len(iterable) if hasattr(iterable, "__len__") else None)
        self.desc, self.disable, self.leave = desc, disable, leave
        self.n, self.postfix, self.start = 0, "", time.perf_counter()
        self.interactive = sys.stderr.isatty()

    def set_postfix(self, **kw):
        self.postfix = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in kw.items())

    def _draw(self, final=False):
        if self.disable or (not self.interactive and not final):
            return
        elapsed = time.perf_counter() - self.start
        if self.total:
            filled = int(24 * self.n / self.total)
            bar = f"|{'#' * filled}{'.' * (24 - filled)}| {self.n}/{self.total}"
        else:
            bar = f"{self.n} it"
        line = f"{self.desc}: {bar} [{elapsed:.1f}s] {self.postfix}"
        sys.stderr.write(("\r" if self.interactive else "") + line + ("\n" if final else ""))
        sys.stderr.flush()

    def __iter__(self):
        for item in self.iterable:
            yield item
            self.n += 1
            self._draw()
        self._draw(final=self.leave)


def progress(iterable, total=None, desc="", disable=False):
    try:
        from tqdm import tqdm
    except ImportError:
        return _PlainBar(iterable, total=total, desc=desc, disable=disable)
    return tqdm(iterable, total=total, desc=desc, disable=disable, leave=True, dynamic_ncols=True)
