"""Messages of the packages the portal uses (Django's admin, django-axes, django-auditlog) whose Chinese
the portal supplies itself. Listed here so that ``makemessages --no-obsolete`` (``make messages``) keeps them in
the catalogue: it only keeps the messages it finds in the project's own source. Never called."""
from django.utils.translation import gettext_noop

MESSAGES = [
    gettext_noop(':?.!'),  # django/forms/boundfield.py
    gettext_noop('Model name'),  # django/contrib/admin/templates/admin/app_list.html
    gettext_noop('Add link'),  # django/contrib/admin/templates/admin/app_list.html
    gettext_noop('Change or view list link'),  # django/contrib/admin/templates/admin/app_list.html
    gettext_noop('After you’ve created a user, you’ll be able to edit more user options.'),  # django/contrib/admin/templates/admin/auth/user/add_form.html
    gettext_noop('access attempt'),  # axes/models.py
    gettext_noop('access failure'),  # axes/models.py
    gettext_noop('access failures'),  # axes/models.py
    gettext_noop('access logs'),  # axes/models.py
    gettext_noop('access attempt expiration'),  # axes/models.py
    gettext_noop('access attempt expirations'),  # axes/models.py
    gettext_noop('Access Attempt'),  # axes/models.py
    gettext_noop('Expires At'),  # axes/models.py
    gettext_noop('The time when access attempt expires and is no longer valid.'),  # axes/models.py
    gettext_noop('User Agent'),  # axes/models.py
    gettext_noop('IP Address'),  # axes/models.py
    gettext_noop('HTTP Accept'),  # axes/models.py
    gettext_noop('Path'),  # axes/models.py
    gettext_noop('Attempt Time'),  # axes/models.py
    gettext_noop('Access lock out'),  # axes/models.py
    gettext_noop('GET Data'),  # axes/models.py
    gettext_noop('POST Data'),  # axes/models.py
    gettext_noop('Failed Logins'),  # axes/models.py
    gettext_noop('Logout Time'),  # axes/models.py
    gettext_noop('Session key hash (sha256)'),  # axes/models.py
    gettext_noop('Form Data'),  # axes/admin.py
    gettext_noop('Meta Data'),  # axes/admin.py
    gettext_noop('Clean up expired attempts'),  # axes/admin.py
    gettext_noop('Not set'),  # axes/admin.py
    gettext_noop('Attempt Remaining'),  # axes/admin.py
    gettext_noop('Account locked: too many login attempts. Please try again later.'),  # axes/conf.py
    gettext_noop('Account locked: too many login attempts. Contact an admin to unlock your account.'),  # axes/conf.py
    gettext_noop('Audit log'),  # auditlog/apps.py
    gettext_noop('Audit log: %s'),  # auditlog/mixins.py
    gettext_noop('log entry'),  # auditlog/models.py
    gettext_noop('Changes'),  # auditlog/admin.py
    gettext_noop('Resource Type'),  # auditlog/filters.py
    gettext_noop('Correlation ID'),  # auditlog/filters.py
    gettext_noop('Click to filter by records with this correlation id'),  # auditlog/mixins.py
    gettext_noop('Resource'),  # auditlog/mixins.py
    gettext_noop('create'),  # auditlog/models.py
    gettext_noop('update'),  # auditlog/models.py
    gettext_noop('access'),  # auditlog/models.py
    gettext_noop('object pk'),  # auditlog/models.py
    gettext_noop('action'),  # auditlog/models.py
    gettext_noop('remote address'),  # auditlog/models.py
    gettext_noop('remote port'),  # auditlog/models.py
    gettext_noop('timestamp'),  # auditlog/models.py
    gettext_noop('additional data'),  # auditlog/models.py
    gettext_noop('actor email'),  # auditlog/models.py
    gettext_noop('Created {repr:s}'),  # auditlog/models.py
    gettext_noop('Updated {repr:s}'),  # auditlog/models.py
    gettext_noop('Deleted {repr:s}'),  # auditlog/models.py
    gettext_noop('Logged {repr:s}'),  # auditlog/models.py
    gettext_noop('Field'),  # auditlog/render.py
    gettext_noop('Relationship'),  # auditlog/render.py
    gettext_noop('No field changes'),  # auditlog/templates/auditlog/entry_detail.html
    gettext_noop('No log entries found.'),  # auditlog/templates/auditlog/object_history.html
]
