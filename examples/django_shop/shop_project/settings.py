"""Settings of the example shop: a site that keeps no data of its own, only Odoo's.

Everything that differs between machines comes from the environment (the twelve-factor way, as Django's own
DATABASES are usually written): ODOO_URL, ODOO_DB, ODOO_USER and ODOO_API_KEY (or ODOO_PASSWORD); SHOP_REDIS_URL
for the cache that the workers share (Odoo reads cached with ``.cache(ttl)`` and the login).
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-shop-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",")

# --8<-- [start:apps]
INSTALLED_APPS = ["zenoo_rpc.contrib.django", "shop"]
# --8<-- [end:apps]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "shop_project.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {}}]
WSGI_APPLICATION = "shop_project.wsgi.application"
ASGI_APPLICATION = "shop_project.asgi.application"
DATABASES: dict[str, dict[str, str]] = {}  # Odoo is the database
USE_I18N = True
USE_TZ = True
LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English")]

# --8<-- [start:caches]
_REDIS = os.environ.get("SHOP_REDIS_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Odoo's reads and the shared login: Django's own Redis cache, with a serializer that never pickles
    "odoo": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _REDIS,
        "KEY_PREFIX": os.environ.get("SHOP_REDIS_PREFIX", "shop"),
        "OPTIONS": {
            "serializer": "zenoo_rpc.contrib.django.serializers.JSONSerializer",
            "socket_timeout": 0.25,  # a cache that does not answer is skipped, not waited for
            "socket_connect_timeout": 0.25,
        },
    }
    if _REDIS
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "odoo"},
}
# --8<-- [end:caches]

# --8<-- [start:zenoo]
_SECRET = (
    {"API_KEY": os.environ["ODOO_API_KEY"]}
    if os.environ.get("ODOO_API_KEY")
    else {"PASSWORD": os.environ.get("ODOO_PASSWORD", "admin")}
)
ZENOO_RPC = {
    "default": {
        "URL": os.environ.get("ODOO_URL", "http://localhost:8069"),
        "DB": os.environ.get("ODOO_DB", "demo"),
        "USER": os.environ.get("ODOO_USER", "admin"),
        **_SECRET,
        "TIMEOUT": float(os.environ.get("ODOO_TIMEOUT", "10")),
        "CACHE": "odoo",
    },
}
# --8<-- [end:zenoo]
