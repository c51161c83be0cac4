"""Offline evaluation: packages to members' laptops and signed returns merged into the chair's file.

The chair's file is the only master. An outgoing package (``.valpkg``) carries a small database made
for one member; the member scores it with the same application and sends back a return (``.valret``)
signed with the laptop's Ed25519 key, which the chair merges in one transaction or refuses whole.
"""
