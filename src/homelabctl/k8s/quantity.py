"""Kubernetes resource quantities (``500m``, ``1.5Gi``, ``2e3``), read exactly: sums and comparisons of quota
usage must not round."""

from __future__ import annotations

from fractions import Fraction

from homelabctl.lazyre import LazyPattern

_SUFFIXES = {
    "": Fraction(1),
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
    "Pi": Fraction(2**50),
    "Ei": Fraction(2**60),
}
# the API server's grammar (k8s.io/apimachinery resource.Quantity): a signed decimal, then a binary or decimal
# SI suffix or a decimal exponent
_QUANTITY = LazyPattern(
    r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"  # the number
    r"(?:([eE][+-]?[0-9]{1,3})|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$"  # exponent (bounded) or suffix
)


def parse(value: object) -> Fraction | None:
    """The quantity's exact value (``"1.5Gi"`` → 1610612736, ``"250m"`` → 1/4), or None when it is not one.
    A YAML number (``cpu: 2``) is a quantity too."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(value) if value == value and abs(value) != float("inf") else None
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value.strip())
    if not match:
        return None
    number, exponent, suffix = match.groups()
    amount = Fraction(number)
    if exponent:
        return amount * Fraction(10) ** int(exponent[1:])
    return amount * _SUFFIXES[suffix or ""]


def format_like(value: Fraction, example: str) -> str:
    """``value`` written in the unit of ``example`` where that is exact (``9Gi`` beside ``8Gi``), else as a
    plain number (``1.5`` cores, ``4500m`` when the example is in milli-units)."""
    match = _QUANTITY.match(example.strip())
    suffix = match.group(3) if match else None
    if suffix:
        scaled = value / _SUFFIXES[suffix]
        if scaled.denominator == 1:
            return f"{scaled.numerator}{suffix}"
    if value.denominator == 1:
        return str(value.numerator)
    milli = value * 1000
    if milli.denominator == 1:
        return f"{milli.numerator}m"
    return f"{float(value):g}"
