"""A WSGI application for the benchmark's own tests, served by gunicorn as the portal is:
``/moved`` redirects to the login page, as a lost session would; any other path answers
200."""


def application(environ, start_response):
    if environ["PATH_INFO"] == "/moved":
        start_response("302 Found", [("Location", "/accounts/login/"), ("Content-Length", "2")])
    else:
        start_response("200 OK", [("Content-Length", "2")])
    return [b"ok"]
