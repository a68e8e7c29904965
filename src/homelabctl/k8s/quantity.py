"""Kubernetes resource quantities (``500m``, ``1.5Gi``, ``2e3``) read exactly, as whole nano-units: the API
server keeps no finer precision (it rounds up to it), and sums and comparisons of quota usage must not round."""

from __future__ import annotations

from homelabctl.lazyre import LazyPattern

NANO = 10**9
"""Nano-units in one unit: ``parse("1") == NANO``."""

_SUFFIXES = {
    "": NANO,
    "n": 1,
    "u": 10**3,
    "m": 10**6,
    "k": 10**3 * NANO,
    "M": 10**6 * NANO,
    "G": 10**9 * NANO,
    "T": 10**12 * NANO,
    "P": 10**15 * NANO,
    "E": 10**18 * NANO,
    "Ki": 2**10 * NANO,
    "Mi": 2**20 * NANO,
    "Gi": 2**30 * NANO,
    "Ti": 2**40 * NANO,
    "Pi": 2**50 * NANO,
    "Ei": 2**60 * NANO,
}
# the API server's grammar (k8s.io/apimachinery resource.Quantity): a signed decimal, then a binary or decimal
# SI suffix or a decimal exponent
_QUANTITY = LazyPattern(
    r"^([+-]?)([0-9]*)(?:\.([0-9]*))?"  # sign, whole part, fraction
    r"(?:[eE]([+-]?[0-9]{1,3})|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$"  # exponent (bounded) or suffix
)


def parse(value: object) -> int | None:
    """The quantity in nano-units, rounded up as the API server rounds (``"1.5Gi"`` → 1.5 × 2³⁰ × 10⁹,
    ``"250m"`` → 250,000,000), or None when it is not one. A YAML integer (``cpu: 2``) is a quantity too."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value * NANO
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value.strip())
    if not match:
        return None
    sign, whole, fraction, exponent, suffix = match.groups()
    fraction = fraction or ""
    if not whole and not fraction:
        return None
    digits = int(whole + fraction or "0")
    amount: int
    if exponent is not None:
        scale = int(exponent) + 9 - len(fraction)  # the value is digits × 10**scale nano-units
        amount = digits * pow(10, scale) if scale >= 0 else -(-digits // pow(10, -scale))
    else:
        amount = -(-digits * _SUFFIXES[suffix or ""] // pow(10, len(fraction)))
    return -amount if sign == "-" else amount


def format_like(nanos: int, example: str) -> str:
    """``nanos`` written in the unit of ``example`` where that is exact (``9Gi`` beside ``8Gi``), else in whole
    units or milli-units (``4500m``), else as a decimal."""
    match = _QUANTITY.match(example.strip())
    suffix = match.group(5) if match else None
    for unit in (suffix, "", "m"):
        if unit is not None and nanos % _SUFFIXES[unit] == 0:
            return f"{nanos // _SUFFIXES[unit]}{unit}"
    return f"{nanos / NANO:g}"
