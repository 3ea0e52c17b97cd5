"""A Stata ``.dta`` (format 118, Unicode; Stata 14 and later) written a batch of rows at a time.

Why by hand: pandas' ``to_stata`` and pyreadstat's ``write_dta`` both take the whole table as one
DataFrame, so writing a national panel would hold it (and a copy of it as records) in memory. The
format is simple: a header, fixed-width rows, then long strings and value labels; knowing the
number of rows, each variable's type and each text's longest width beforehand (the release
writes Parquet first and keeps those statistics), the rows can be appended batch by batch.

>>> w = DtaWriter("t.dta", [Variable("n", "long", "a count")], nobs=2)   # doctest: +SKIP
>>> w.write({"n": np.array([1.0, np.nan])}); w.close()                   # doctest: +SKIP

Missing values are Stata's ``.`` (numbers) and the empty string (texts). Texts longer than 2,045
bytes are written as strL. Read back with ``pandas.read_stata`` or Stata's ``use``.
"""
from __future__ import annotations

import os
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

STR_MAX = 2045                 # longest fixed-width text (bytes); longer ones are strL
STRL = 32768
NUMERIC = {"byte": (65530, "<i1", "%8.0g", -127, 100, 101),
           "int": (65529, "<i2", "%8.0g", -32767, 32740, 32741),
           "long": (65528, "<i4", "%12.0g", -2147483647, 2147483620, 2147483621),
           "double": (65526, "<f8", "%10.0g", None, None, None)}
DOUBLE_MISSING = struct.unpack("<d", struct.pack("<Q", 0x7FE0000000000000))[0]
LABEL_BYTES = 321             # 80 characters of UTF-8 and a null
NAME_BYTES = 129              # 32 characters of UTF-8 and a null


@dataclass
class Variable:
    """One variable: its name (32 characters at most), type (byte, int, long, double, or str with
    ``width`` bytes: strL beyond 2,045), label, and value labels ({code: text}) for a byte/int/long."""

    name: str
    type: str
    label: str = ""
    width: int = 1
    value_labels: dict[int, str] = field(default_factory=dict)

    @property
    def is_strl(self) -> bool:
        return self.type == "str" and self.width > STR_MAX

    @property
    def code(self) -> int:
        if self.type == "str":
            return STRL if self.is_strl else max(1, self.width)
        return NUMERIC[self.type][0]

    @property
    def numpy(self) -> str:
        if self.type == "str":
            return "<u8" if self.is_strl else f"S{max(1, self.width)}"
        return NUMERIC[self.type][1]

    @property
    def format(self) -> str:
        if self.type == "str":
            return "%9s" if self.is_strl else f"%-{max(1, self.width)}s"
        return NUMERIC[self.type][2]


def integer_type(low: float | None, high: float | None) -> str:
    """The smallest Stata integer type holding every value in [low, high] (double beyond long)."""
    for name in ("byte", "int", "long"):
        _, _, _, lo, hi, _ = NUMERIC[name]
        if (low is None or low >= lo) and (high is None or high <= hi):
            return name
    return "double"


def _cut(text: str, size: int) -> bytes:
    """At most ``size`` bytes of UTF-8, never half a character."""
    raw = text.encode("utf-8")[:size]
    while True:
        try:
            raw.decode("utf-8")
            return raw
        except UnicodeDecodeError:
            raw = raw[:-1]


def _fixed(text: str, size: int) -> bytes:
    raw = _cut(text, size - 1)
    return raw + b"\0" * (size - len(raw))


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _timestamp() -> bytes:
    """'01 Dec 2026 23:05' (English month names, whatever the locale)."""
    t = time.gmtime()
    return f"{t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} {t.tm_hour:02d}:{t.tm_min:02d}".encode()


def _tag(name: str, body: bytes) -> bytes:
    return f"<{name}>".encode() + body + f"</{name}>".encode()


class DtaWriter:
    """Write a .dta 118 file: ``write`` batches of rows ({name: array}) in order, then ``close``.

    Arrays: numbers as float64 with NaN for missing (or integers), texts as sequences of ``str``
    or None (or, for a fixed-width text, UTF-8 bytes already in a numpy ``S`` array no wider than
    the variable). Exactly ``nobs`` rows must be written. The texts of strL variables wait in
    memory until ``close`` (the format puts them after the rows): keep strL for rare long texts."""

    def __init__(self, path: str | os.PathLike, variables: list[Variable], nobs: int, label: str = ""):
        self.path, self.vars, self.nobs = Path(path), list(variables), int(nobs)
        if len(self.vars) > 32767:
            raise ValueError(f"{self.path.name}: {len(self.vars)} variables, more than a .dta holds (32,767)")
        self.dtype = np.dtype([(f"v{i}", v.numpy) for i, v in enumerate(self.vars)])
        self.rows = 0
        self.fh = open(self.path, "wb")
        self.strl = [] if any(v.is_strl for v in self.vars) else None
        self.map = [0] * 14
        self._header(label)

    def _where(self, i: int) -> None:
        self.map[i] = self.fh.tell()

    def _header(self, label: str) -> None:
        fh, k = self.fh, len(self.vars)
        stamp = _timestamp()
        lab = _cut(label, 320)
        fh.write(b"<stata_dta>" + _tag("header", _tag("release", b"118") + _tag("byteorder", b"LSF")
                                      + _tag("K", struct.pack("<H", k)) + _tag("N", struct.pack("<Q", self.nobs))
                                      + _tag("label", struct.pack("<H", len(lab)) + lab)
                                      + _tag("timestamp", struct.pack("<B", len(stamp)) + stamp)))
        self._where(1)
        fh.write(_tag("map", b"\0" * 8 * 14))
        sections = (
            ("variable_types", b"".join(struct.pack("<H", v.code) for v in self.vars)),
            ("varnames", b"".join(_fixed(v.name, NAME_BYTES) for v in self.vars)),
            ("sortlist", b"\0\0" * (k + 1)),
            ("formats", b"".join(_fixed(v.format, 57) for v in self.vars)),
            ("value_label_names", b"".join(_fixed(v.name if v.value_labels else "", NAME_BYTES) for v in self.vars)),
            ("variable_labels", b"".join(_fixed(v.label, LABEL_BYTES) for v in self.vars)),
            ("characteristics", b""),
        )
        for i, (name, body) in enumerate(sections, start=2):
            self._where(i)
            fh.write(_tag(name, body))
        self._where(9)
        fh.write(b"<data>")

    def write(self, columns: dict[str, object]) -> None:
        """Append rows: ``columns`` maps every variable's name to an array of the same length."""
        n = len(columns[self.vars[0].name]) if self.vars else 0
        if self.rows + n > self.nobs:
            raise ValueError(f"{self.path.name}: more rows than the {self.nobs} declared")
        rec = np.zeros(n, dtype=self.dtype)
        for i, v in enumerate(self.vars):
            rec[f"v{i}"] = self._column(i, v, columns[v.name], n)
        self.fh.write(rec.tobytes())
        self.rows += n

    def _column(self, i: int, v: Variable, values, n: int) -> np.ndarray:
        if v.type == "str":
            if isinstance(values, np.ndarray) and values.dtype.kind == "S" and not v.is_strl:
                if values.dtype.itemsize > max(1, v.width):
                    raise ValueError(f"{self.path.name}: texts of {v.name} are wider than the {v.width} bytes declared")
                return values
            texts = [b"" if t is None or t != t else str(t).encode("utf-8") for t in values]
            if not v.is_strl:
                if texts and max(map(len, texts)) > max(1, v.width):
                    raise ValueError(f"{self.path.name}: a text of {v.name} is longer than the {v.width} "
                                     "bytes declared")
                return np.array(texts, dtype=f"S{max(1, v.width)}") if n else np.zeros(0, f"S{max(1, v.width)}")
            refs = np.zeros(n, dtype="<u8")
            for j, t in enumerate(texts):
                if t:
                    o = self.rows + j + 1
                    refs[j] = (i + 1) | (o << 16)          # (v, o): v in 2 bytes, o in 6 (format 118)
                    self.strl.append(b"GSO" + struct.pack("<IQBI", i + 1, o, 130, len(t) + 1) + t + b"\0")
            return refs
        arr = np.asarray(values, dtype="float64")
        missing = np.isnan(arr)
        if v.type == "double":
            return np.where(missing, DOUBLE_MISSING, arr)
        _, np_type, _, lo, hi, miss = NUMERIC[v.type]
        if ((arr[~missing] < lo) | (arr[~missing] > hi)).any():
            raise ValueError(f"{self.path.name}: {v.name} has values beyond a Stata {v.type}")
        return np.where(missing, miss, arr).astype(np_type)

    def close(self) -> None:
        """Finish the file: long strings, value labels, and the map of where each part starts."""
        if self.rows != self.nobs:
            self.fh.close()
            raise ValueError(f"{self.path.name}: {self.rows} rows written, {self.nobs} declared")
        fh = self.fh
        fh.write(b"</data>")
        self._where(10)
        fh.write(_tag("strls", b"".join(self.strl or [])))
        self._where(11)
        fh.write(b"<value_labels>")
        for v in self.vars:
            if v.value_labels:
                codes = sorted(v.value_labels)
                texts = [v.value_labels[c].encode("utf-8") + b"\0" for c in codes]
                offsets = np.cumsum([0] + [len(t) for t in texts[:-1]]).astype("<i4")
                table = struct.pack("<ii", len(codes), sum(len(t) for t in texts)) + offsets.tobytes() \
                    + np.array(codes, dtype="<i4").tobytes() + b"".join(texts)
                fh.write(_tag("lbl", struct.pack("<i", len(table)) + _fixed(v.name, NAME_BYTES) + b"\0" * 3 + table))
        fh.write(b"</value_labels>")
        self._where(12)
        fh.write(b"</stata_dta>")
        self._where(13)
        fh.seek(self.map[1] + len(b"<map>"))
        fh.write(struct.pack("<14Q", *self.map))
        fh.close()
