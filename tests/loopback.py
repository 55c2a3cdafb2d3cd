"""What every loopback server a test starts (live app, webhook receiver, fake ATS, SMTP) shares."""

#: How often ``serve_forever`` checks for ``shutdown``: at its default half second, stopping a
#: server added a quarter of a second on average to the teardown of every test that started one.
QUICK_SHUTDOWN = {"poll_interval": 0.05}
