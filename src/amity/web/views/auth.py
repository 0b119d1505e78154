from django.http import HttpRequest, HttpResponse


def lockout_response(request: HttpRequest, credentials: dict | None = None, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Too many failed sign-in attempts. Try again later.", status=429)
