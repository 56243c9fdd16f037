"""Where a room reaches an app: the address Voila binds, and the URL people should open.

``course present`` binds 127.0.0.1 by default: the projector's machine only. With
``--ip ADDRESS`` it serves a room: people open ``http://ADDRESS:PORT/`` on their
phones. ``0.0.0.0`` (or ``::``) binds every interface; the URL people can use is then
this machine's address on the room's network, found by asking the system which
interface it would route outwards by (no packet is sent). An app answers anyone who
reaches it, without a login (that is what a room needs), so an address other than
loopback deserves a warning in plain words: ``exposure``.
"""

from __future__ import annotations

import ipaddress
import socket

from course.errors import CourseError

ANY_ADDRESS = ("0.0.0.0", "::")


class AddressError(CourseError):
    """An --ip that is not an address of this machine's kind (IPv4 or IPv6 literal)."""


def checked_ip(ip: str) -> str:
    """``ip`` as Voila should bind it; AddressError naming the option when it is not one."""
    text = ip.strip().strip("[]")
    if text == "localhost":
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise AddressError(
            f"--ip {ip!r}: not an IP address (give one such as 192.168.1.20, "
            "0.0.0.0 for every interface, or 127.0.0.1 for this machine only)"
        ) from None


def is_loopback(ip: str) -> bool:
    return ipaddress.ip_address(checked_ip(ip)).is_loopback


def people_url(ip: str, port: int) -> str:
    """The URL the room should open for an app bound to ``ip``:``port``."""
    host = checked_ip(ip)
    if host in ANY_ADDRESS:
        host = outward_address(ipv6=host == "::")
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def outward_address(*, ipv6: bool = False) -> str:
    """This machine's address on its network (the interface of the default route), or
    loopback when it has none."""
    family, probe = (socket.AF_INET6, "2001:db8::1") if ipv6 else (socket.AF_INET, "192.0.2.254")
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((probe, 9))  # UDP connect: picks a route, sends nothing
            address: str = s.getsockname()[0]
            return address
    except OSError:
        return "::1" if ipv6 else "127.0.0.1"


def exposure(ip: str) -> str | None:
    """A warning for an address that is not this machine only; None for loopback."""
    if is_loopback(ip):
        return None
    where = "every network this machine is on" if checked_ip(ip) in ANY_ADDRESS else ip
    return (
        f"The app will be open to anyone who can reach {where}, without a login: "
        "they can see it and move its widgets. Use this on the room's own network only, "
        "and stop the app (Ctrl-C) when the session is over."
    )
