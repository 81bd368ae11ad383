"""The dishonest-debtor list (失信被执行人名单) and consumption restriction orders (限制消费令).

Depends on ``cases`` (cases, parties, notices, the working-day clock) and ``members``; nothing below
imports it. It reaches the case page and the conclusion through the hooks ``cases`` offers
(``cases.hooks``): a panel on the case page and the ``case_concluded`` signal.
"""
