"""Every module that declares tables, imported in one place for Alembic and the tests."""

from socialdesk.academy import models as _academy  # noqa: F401
from socialdesk.agency import models as _agency  # noqa: F401
from socialdesk.analytics import models as _analytics  # noqa: F401
from socialdesk.audit import models as _audit  # noqa: F401
from socialdesk.auth import models as _auth  # noqa: F401
from socialdesk.campaigns import models as _campaigns  # noqa: F401
from socialdesk.channels import models as _channels  # noqa: F401
from socialdesk.comments import models as _comments  # noqa: F401
from socialdesk.content import models as _content  # noqa: F401
from socialdesk.contests import models as _contests  # noqa: F401
from socialdesk.goals import models as _goals  # noqa: F401
from socialdesk.inbox import models as _inbox  # noqa: F401
from socialdesk.integrations import models as _integrations  # noqa: F401
from socialdesk.jobs import models as _jobs  # noqa: F401
from socialdesk.links import models as _links  # noqa: F401
from socialdesk.listening import models as _listening  # noqa: F401
from socialdesk.media import models as _media  # noqa: F401
from socialdesk.networks import quota as _network_quota  # noqa: F401
from socialdesk.notifications import models as _notifications  # noqa: F401
from socialdesk.quizzes import models as _quizzes  # noqa: F401
from socialdesk.reports import models as _reports  # noqa: F401
from socialdesk.scheduling import models as _scheduling  # noqa: F401
from socialdesk.strategy import models as _strategy  # noqa: F401
from socialdesk.studio import models as _studio  # noqa: F401
from socialdesk.studio.writing import models as _writing  # noqa: F401
from socialdesk.workspaces import models as _workspaces  # noqa: F401
