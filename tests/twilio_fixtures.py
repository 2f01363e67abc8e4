"""Fixtures for the text message tests: a local fake of Twilio's API (tests/twilio_fake.py)
and the portal's Twilio backend pointed at it. ``pytest_plugins = ["tests.twilio_fixtures"]``."""

import pytest

from tests.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio


@pytest.fixture
def fake_twilio():
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def twilio(settings, fake_twilio) -> FakeTwilio:
    """The portal's Twilio backend, its real client pointed at the local fake."""
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM = FROM_NUMBER
    settings.TWILIO_API_URL = fake_twilio.url
    settings.TWILIO_TIMEOUT = 5
    return fake_twilio
