#!/usr/bin/python3
"""Reads and clicks the app's tray menu through the dbusmenu object it exports on the session
bus (the same menu a StatusNotifierItem host would show).
  tray.py APP layout                 -> JSON: [{"id", "label", "enabled", "children": [...]}, ...]
  tray.py APP click LABEL SUBLABEL   -> clicks the item; the first label may be a prefix
  tray.py APP click-id ID            -> clicks the item with that dbusmenu id, as read from an
                                        earlier layout (exit 3 if the menu no longer has it)
APP is the app's executable; the app is the process running it on this session bus.
TRAY_BUS_CACHE=FILE remembers which connection exports the menu, so it is looked up once.

Budgets: a loaded 2-core machine can take seconds to answer, so calls get a minute. Finding
the menu must not wait on connections that never answer: GTK's accessibility bridge keeps a
session-bus connection in the app that nothing reads, and a method call to it gets no reply
at all. Ping (answered by the connection's own D-Bus code, not by the app's GTK main thread)
rules such connections out in seconds."""
import json
import os
import sys
import time

import dbus

MENU = "/org/ayatana/NotificationItem/tray_icon_tray_app_main_tray/Menu"
IFACE = "com.canonical.dbusmenu"
CALL_TIMEOUT = 60.0
PING_TIMEOUT = 5.0
STALE_ID = "does not refer to a menu item"


def bus_daemon(bus):
    return dbus.Interface(bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus", introspect=False),
                          "org.freedesktop.DBus")


def app_pids(app):
    """Processes running APP (its WebKit helpers and hangarctl are other executables)."""
    real = os.path.realpath(app)
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.path.realpath(f"/proc/{entry}/exe") == real:
                    pids.add(int(entry))
            except OSError:
                continue
    return pids


def exports_menu(bus, name):
    obj = bus.get_object(name, MENU, introspect=False)
    try:
        obj.Ping(dbus_interface="org.freedesktop.DBus.Peer", timeout=PING_TIMEOUT)
    except dbus.DBusException:
        return False
    try:
        xml = obj.Introspect(dbus_interface="org.freedesktop.DBus.Introspectable", timeout=CALL_TIMEOUT)
    except dbus.DBusException:
        return False
    return IFACE in xml


def app_connection(bus, app):
    daemon = bus_daemon(bus)
    cache = os.environ.get("TRAY_BUS_CACHE")
    if cache and os.path.exists(cache):
        with open(cache, encoding="utf-8") as f:
            name = json.load(f).get("name")
        if name and daemon.NameHasOwner(name):
            return name
    pids = app_pids(app)
    for name in daemon.ListNames():
        if not name.startswith(":"):
            continue
        try:
            if int(daemon.GetConnectionUnixProcessID(name)) not in pids:
                continue
        except dbus.DBusException:
            continue  # gone meanwhile
        if exports_menu(bus, name):
            if cache:
                with open(cache, "w", encoding="utf-8") as f:
                    json.dump({"name": str(name)}, f)
            return name
    raise SystemExit(f"no tray menu exported by {app} (pids {sorted(pids)})")


def tree(node):
    item_id, props, children = node
    return {"id": int(item_id), "label": str(props.get("label", "")), "enabled": bool(props.get("enabled", True)),
            "children": [tree(c) for c in children]}


def layout(menu):
    _, root = menu.GetLayout(0, -1, dbus.Array([], signature="s"), timeout=CALL_TIMEOUT)
    return tree(root)["children"]


def find(items, path):
    level, target = items, None
    for i, part in enumerate(path):
        match = [it for it in level if it["label"] == part or (i == 0 and it["label"].startswith(part))]
        if not match:
            return None, f"no menu item {part!r} among {[it['label'] for it in level]}"
        target = match[0]
        level = target["children"]
    return target, None


def click(menu, item_id):
    menu.Event(dbus.Int32(item_id), "clicked", dbus.Int32(0, variant_level=1), dbus.UInt32(int(time.time())),
               timeout=CALL_TIMEOUT)


def main():
    app, verb = sys.argv[1], sys.argv[2]
    bus = dbus.SessionBus()
    menu = dbus.Interface(bus.get_object(app_connection(bus, app), MENU, introspect=False), IFACE)
    if verb == "layout":
        print(json.dumps(layout(menu)))
    elif verb == "click-id":
        try:
            click(menu, int(sys.argv[3]))
        except dbus.DBusException as e:
            if STALE_ID in str(e):
                print(f"item {sys.argv[3]} is no longer in the menu", file=sys.stderr)
                sys.exit(3)
            raise
        print(json.dumps({"id": int(sys.argv[3])}))
    elif verb == "click":
        # The menu may be replaced between reading it and clicking (the tray follows state
        # changes): then the item's id is gone, and the label is looked up again.
        for _ in range(5):
            target, problem = find(layout(menu), sys.argv[3:])
            if target is None:
                raise SystemExit(problem)
            try:
                click(menu, target["id"])
            except dbus.DBusException as e:
                if STALE_ID in str(e):
                    time.sleep(0.2)
                    continue
                raise
            print(json.dumps(target))
            return
        raise SystemExit(f"{sys.argv[3:]!r} kept changing under the click")
    else:
        raise SystemExit(f"unknown verb {verb!r}")


main()
