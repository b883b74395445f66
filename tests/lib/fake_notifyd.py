#!/usr/bin/python3
"""A notification server for tests: owns org.freedesktop.Notifications on the session bus
and appends every Notify call to a JSON-lines file. Run with Debian's python3 (dbus, gi)."""
import json
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"


class Server(dbus.service.Object):
    count = 0

    @dbus.service.method(NAME, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
        Server.count += 1
        with open(sys.argv[1], "a", encoding="utf-8") as log:
            log.write(json.dumps({"id": Server.count, "app_name": str(app), "summary": str(summary),
                                  "body": str(body), "actions": [str(a) for a in actions]}) + "\n")
        return dbus.UInt32(Server.count)

    @dbus.service.method(NAME, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["body", "actions"]

    @dbus.service.method(NAME, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("hangar-test-notifyd", "hangar", "1", "1.2")

    @dbus.service.method(NAME, in_signature="u", out_signature="")
    def CloseNotification(self, _id):
        pass


dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
_name = dbus.service.BusName(NAME, bus, do_not_queue=True)
Server(bus, "/org/freedesktop/Notifications")
GLib.MainLoop().run()
