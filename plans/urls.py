from django.urls import path

from plans import views

urlpatterns = [
    path("", views.plan_index, name="home"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("deadlines/<int:pk>/", views.deadline_detail, name="deadline-detail"),
]
