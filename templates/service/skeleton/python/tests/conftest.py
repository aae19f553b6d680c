import os

import django


def pytest_configure(config):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${{ values.name | replace('-', '_') }}.settings")
    # Tests run with production settings (DEBUG off); only the key is fake.
    os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-a-secret")
    django.setup()
