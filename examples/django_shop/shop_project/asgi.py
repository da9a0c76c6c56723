"""``uvicorn shop_project.asgi:application``: the async views get one ZenooClient per event loop."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop_project.settings")
application = get_asgi_application()
