"""Notification engine: channels (email, SMS, in-app), reminder policy, scheduling.

Plain Python: never imports pufa_flow or Flask. The application writes
outbox rows (pufa_flow.models.outbox) in the transaction of the change that
causes them; the reminder issue adds the delivery channels and the policy here.
"""
