"""``gunicorn --preload --workers 4 --threads 8 shop_project.wsgi``: every worker and thread shares one login."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop_project.settings")
application = get_wsgi_application()
