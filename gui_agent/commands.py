"""Handlers for the messages the daemon sends: one dispatch table, one handler per type.

A window message may name a window the agent destroyed a moment ago, while its
DestroyWindow is still on its way. Such messages are dropped at debug level.
Coordinates in input messages are relative to the window and become absolute
by adding the window's position, which equals its position on the GUI display.
"""

from __future__ import annotations

import logging

from protocol import IgnoredMessage
from protocol import messages as m

from . import metadata
from .agent import Agent
from .screen import apply_keyboard_layout, keyboard_layout_matches, match_screen_size
from .windows import WindowRecord

logger = logging.getLogger(__name__)


class CommandHandler:
    """Applies the daemon's messages to the domain."""

    def __init__(self, agent: Agent):
        self.agent = agent
        self._window_handlers = {
            m.BufferAccepted: self._buffer_accepted,
            m.Configure: self._configure,
            m.SetWindowState: self._set_window_state,
            m.Close: self._close,
            m.Key: self._key,
            m.Button: self._button,
            m.Motion: self._motion,
            m.Crossing: self._crossing,
            m.Focus: self._focus,
        }
        self._global_handlers = {
            m.ScreenConfiguration: self._screen_configuration,
            m.KeyboardLayout: self._keyboard_layout,
            m.KeymapState: self._keymap_state,
            m.ClipboardRequest: self._clipboard_request,
            m.ClipboardPaste: self._clipboard_paste,
        }

    def handle(self, message) -> None:
        if isinstance(message, IgnoredMessage):
            logger.debug("ignored %s for window %#x: %s", message.message_type, message.window, message.rule)
            return
        handler = self._global_handlers.get(type(message))
        if handler is not None:
            handler(message)
            return
        handler = self._window_handlers.get(type(message))
        if handler is None:
            # The codec admits only daemon → agent types, and each has a handler.
            logger.error("no handler for %s", message.SPEC.name)
            return
        record = self.agent.table.get(message.window)
        if record is None:
            logger.debug("%s for window %#x, which no longer exists", message.SPEC.name, message.window)
            return
        handler(record, message)

    # -- configuration -------------------------------------------------------------------

    def _screen_configuration(self, message: m.ScreenConfiguration) -> None:
        logger.info("GUI display is %dx%d, work area %dx%d+%d+%d, scale %d%%", message.width, message.height,
                    message.work_width, message.work_height, message.work_x, message.work_y,
                    message.scale_percent)
        match_screen_size(self.agent.display, message)

    def _keyboard_layout(self, message: m.KeyboardLayout) -> None:
        if keyboard_layout_matches(self.agent.display, message):
            logger.info("keyboard layout already matches (rules %s, model %s, layout %s, variant %s)",
                        message.rules, message.model, message.layout, message.variant)
            return
        if apply_keyboard_layout(self.agent.display_name, message):
            # setxkbmap changed the keymap under python-xlib's cached copy.
            display = self.agent.display
            first = display.display.info.min_keycode
            count = display.display.info.max_keycode - first + 1
            display._update_keymap(first, count)
            self.agent.injector.refresh_modifiers()

    # -- windows -------------------------------------------------------------------------

    def _buffer_accepted(self, record: WindowRecord, message: m.BufferAccepted) -> None:
        damage = self.agent.capturer.accept(record, message.serial)
        if damage is not None:
            self.agent.session.send(damage)

    def _configure(self, record: WindowRecord, message: m.Configure) -> None:
        window = self.agent.display.create_resource_object("window", record.window_id)
        window.configure(x=message.x - record.border_width, y=message.y - record.border_width,
                         width=message.width, height=message.height)
        # The X server applies this before any later request; the ConfigureNotify
        # that follows matches what is acknowledged here and sends nothing more.
        record.x = message.x - record.border_width
        record.y = message.y - record.border_width
        record.width, record.height = message.width, message.height
        if record.mapped and record.buffer is not None and \
                (record.buffer.width, record.buffer.height) != record.buffer_size():
            record.needs_buffer = True
        self.agent.send_geometry(record, ack_serial=message.serial)

    def _set_window_state(self, record: WindowRecord, message: m.SetWindowState) -> None:
        self.agent.manager.apply_window_state(record, message.state)

    def _close(self, record: WindowRecord, message: m.Close) -> None:
        window = self.agent.display.create_resource_object("window", record.window_id)
        record.protocols = metadata.read_protocols(window, self.agent.atoms)
        self.agent.manager.close(record)

    # -- input ---------------------------------------------------------------------------

    def _key(self, record: WindowRecord, message: m.Key) -> None:
        if message.pressed and self.agent.manager.focused != record.window_id:
            self.agent.manager.focus(record)
        self.agent.injector.key(message.keycode, bool(message.pressed), message.state)

    def _button(self, record: WindowRecord, message: m.Button) -> None:
        self._point_at(record)
        self.agent.injector.button(message.button, bool(message.pressed), record.content_x + message.x,
                                   record.content_y + message.y, message.state)

    def _motion(self, record: WindowRecord, message: m.Motion) -> None:
        self._point_at(record)
        self.agent.injector.motion(record.content_x + message.x, record.content_y + message.y)

    def _crossing(self, record: WindowRecord, message: m.Crossing) -> None:
        if message.entered:
            self._point_at(record)
            self.agent.injector.motion(record.content_x + message.x, record.content_y + message.y)
        elif self.agent.pointer_window == record.window_id:
            self.agent.pointer_window = None

    def _point_at(self, record: WindowRecord) -> None:
        if self.agent.pointer_window != record.window_id:
            self.agent.pointer_window = record.window_id
            self.agent.send_cursor()

    def _focus(self, record: WindowRecord, message: m.Focus) -> None:
        if message.focused:
            self.agent.manager.focus(record)
        else:
            self.agent.manager.unfocus(record)

    def _keymap_state(self, message: m.KeymapState) -> None:
        released = self.agent.injector.release_keys_up_in(message.keys)
        if released:
            logger.debug("released %d keys held only in the domain", len(released))

    # -- clipboard -----------------------------------------------------------------------

    def _clipboard_request(self, message: m.ClipboardRequest) -> None:
        self.agent.reader.request(message.serial, message.max_bytes)

    def _clipboard_paste(self, message: m.ClipboardPaste) -> None:
        self.agent.owner.own(message.data)
