"""The ${{ values.name }} service (Django project package)."""
