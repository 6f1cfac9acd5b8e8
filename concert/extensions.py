"""Flask extensions, created once and attached in create_app()."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# gevent: many long-lived WebSocket connections per process on cheap greenlets, served by
# gevent's production WSGI server (see README, "Serveur").
socketio = SocketIO(async_mode="gevent")
