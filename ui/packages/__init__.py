"""Offline evaluation in the GUI (packages out to the members, signed returns back to the chair).

``actions`` holds the menu entries and the member's side, ``chair`` the chair's two dialogs.
"""

from ui.packages.actions import PackageActions, is_package_file, package_user

__all__ = ["PackageActions", "is_package_file", "package_user"]
