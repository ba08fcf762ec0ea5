"""The sample organization `cxkeeper demo` loads: Kestrel Connect, a broadband/mobile provider.

`organization.py` holds the data (teams, people, journeys, responsibilities, handoffs and the
deliberate coverage gaps); `load.py` builds it through the real actions.
"""
