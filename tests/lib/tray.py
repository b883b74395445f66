#!/usr/bin/python3
"""Reads and clicks the app's tray menu through the dbusmenu object it exports on the session
bus (the same menu a StatusNotifierItem host would show).
  tray.py PID layout                 -> JSON: [{"id", "label", "enabled", "children": [...]}, ...]
  tray.py PID click LABEL/SUBLABEL   -> clicks the item; the first label may be a prefix"""
import json
import sys

import dbus

MENU = "/org/ayatana/NotificationItem/tray_icon_tray_app_main_tray/Menu"
IFACE = "com.canonical.dbusmenu"


def app_connection(bus, pid):
    daemon = bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus")
    for name in daemon.ListNames(dbus_interface="org.freedesktop.DBus"):
        if not name.startswith(":"):
            continue
        try:
            if int(daemon.GetConnectionUnixProcessID(name, dbus_interface="org.freedesktop.DBus")) != pid:
                continue
            xml = bus.get_object(name, MENU).Introspect(dbus_interface="org.freedesktop.DBus.Introspectable", timeout=5)
            if IFACE in xml:
                return name
        except dbus.DBusException:
            continue
    raise SystemExit(f"no tray menu exported by pid {pid}")


def tree(node):
    item_id, props, children = node
    return {"id": int(item_id), "label": str(props.get("label", "")), "enabled": bool(props.get("enabled", True)),
            "children": [tree(c) for c in children]}


def main():
    pid, verb = int(sys.argv[1]), sys.argv[2]
    bus = dbus.SessionBus()
    menu = dbus.Interface(bus.get_object(app_connection(bus, pid), MENU), IFACE)
    _, layout = menu.GetLayout(0, -1, dbus.Array([], signature="s"))
    items = tree(layout)["children"]
    if verb == "layout":
        print(json.dumps(items))
        return
    path = sys.argv[3].split("/")
    level = items
    target = None
    for i, part in enumerate(path):
        match = [it for it in level if it["label"] == part or (i == 0 and it["label"].startswith(part))]
        if not match:
            raise SystemExit(f"no menu item {part!r} among {[it['label'] for it in level]}")
        target = match[0]
        level = target["children"]
    menu.Event(target["id"], "clicked", dbus.Int32(0, variant_level=1), dbus.UInt32(0))
    print(json.dumps(target))


main()
