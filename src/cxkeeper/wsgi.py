import os

from django.core.wsgi import get_wsgi_application

from cxkeeper.datadir import private_files

private_files()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxkeeper.settings")
application = get_wsgi_application()
