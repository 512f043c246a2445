from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from dealerlms.urls import urlpatterns as project_urls


@login_not_required
def hello(request):
    return HttpResponse("hello world")


urlpatterns = [path("bench/hello", hello), *project_urls]
