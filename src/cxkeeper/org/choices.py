from django.db import models


class TeamFunction(models.TextChoices):
    MARKETING = "marketing", "Marketing"
    SALES = "sales", "Sales"
    CUSTOMER_SERVICE = "customer_service", "Customer service"
    UX_DESIGN = "ux_design", "UX design"
    PRODUCT = "product", "Product"
    OPERATIONS = "operations", "Operations"
    IT = "it", "IT"
    BILLING_FINANCE = "billing_finance", "Billing / finance"
    LEGAL = "legal", "Legal"
    PRICING = "pricing", "Pricing"
    SUPPLY_CHAIN = "supply_chain", "Supply chain"
    HR = "hr", "HR"
    OTHER = "other", "Other"


class Office(models.TextChoices):
    FRONT = "front", "Front office"
    BACK = "back", "Back office"
