#!/usr/bin/python3
"""A notification server for tests: owns org.freedesktop.Notifications on the session bus
and appends every Notify call to a JSON-lines file. Run with Debian's python3 (dbus, gi).

A test presses a notification's button as a user would with
  gdbus call --session --dest org.freedesktop.Notifications \\
    --object-path /org/freedesktop/Notifications --method org.hangar.TestNotifications.Invoke ID KEY
which emits ActionInvoked(ID, KEY) and then NotificationClosed(ID, 2) as real servers do, and
appends {"invoked": ID, "action": KEY} to the file beside the log named actions.jsonl.
With --no-actions the server does not list "actions" in GetCapabilities (as notify-osd)."""
import json
import os
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"
TEST = "org.hangar.TestNotifications"
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
LOG = ARGS[0]
ACTIONS_LOG = os.path.join(os.path.dirname(os.path.abspath(LOG)), "actions.jsonl")
OFFERS_ACTIONS = "--no-actions" not in sys.argv
# Reasons of NotificationClosed: 2 = dismissed by the user, 3 = closed by CloseNotification.
DISMISSED, CLOSED = 2, 3


def append(path, record):
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")


class Server(dbus.service.Object):
    count = 0

    @dbus.service.method(NAME, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
        Server.count += 1
        append(LOG, {"id": Server.count, "app_name": str(app), "summary": str(summary),
                     "body": str(body), "actions": [str(a) for a in actions]})
        return dbus.UInt32(Server.count)

    @dbus.service.method(NAME, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["body", "actions"] if OFFERS_ACTIONS else ["body"]

    @dbus.service.method(NAME, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("hangar-test-notifyd", "hangar", "1", "1.2")

    @dbus.service.method(NAME, in_signature="u", out_signature="")
    def CloseNotification(self, nid):
        self.NotificationClosed(nid, CLOSED)

    @dbus.service.signal(NAME, signature="us")
    def ActionInvoked(self, nid, key):
        pass

    @dbus.service.signal(NAME, signature="uu")
    def NotificationClosed(self, nid, reason):
        pass

    @dbus.service.method(TEST, in_signature="us", out_signature="")
    def Invoke(self, nid, key):
        append(ACTIONS_LOG, {"invoked": int(nid), "action": str(key)})
        self.ActionInvoked(nid, key)
        self.NotificationClosed(nid, DISMISSED)


dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
_name = dbus.service.BusName(NAME, bus, do_not_queue=True)
Server(bus, "/org/freedesktop/Notifications")
GLib.MainLoop().run()
