"""Closed vocabularies shared by the catalogue, the diagnostic and the plan.

Business functions and maturity dimensions are identifiers, not prose: the
labels, 0–5 anchors and EU DMAT mapping live in ``knowledge/dimensions.yaml``
so that they can be translated and refined without touching code.
"""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    """Languages the product speaks; every user-facing text exists in both."""

    FR = "fr"
    EN = "en"


class BusinessFunction(StrEnum):
    """Where in the company a pain point hurts or an initiative acts."""

    MANAGEMENT = "management"
    SALES_MARKETING = "sales_marketing"
    CUSTOMER_SERVICE = "customer_service"
    OPERATIONS = "operations"
    SUPPLY_CHAIN = "supply_chain"
    FINANCE_ADMIN = "finance_admin"
    HUMAN_RESOURCES = "human_resources"
    INFORMATION_TECHNOLOGY = "information_technology"


class Dimension(StrEnum):
    """The ten maturity dimensions of the diagnostic (see knowledge/dimensions.yaml)."""

    STRATEGY_GOVERNANCE = "strategy_governance"
    CUSTOMER_SALES = "customer_sales"
    OPERATIONS_PRODUCTION = "operations_production"
    SUPPLY_CHAIN_LOGISTICS = "supply_chain_logistics"
    ADMIN_FINANCE_HR = "admin_finance_hr"
    DATA_INTEGRATION = "data_integration"
    CYBERSECURITY_IT = "cybersecurity_it"
    PEOPLE_SKILLS = "people_skills"
    AUTOMATION_AI = "automation_ai"
    GREEN = "green"


class DmatDimension(StrEnum):
    """The six dimensions of the EU Digital Maturity Assessment Tool (JRC)."""

    DIGITAL_BUSINESS_STRATEGY = "digital_business_strategy"
    DIGITAL_READINESS = "digital_readiness"
    HUMAN_CENTRIC_DIGITALISATION = "human_centric_digitalisation"
    DATA_MANAGEMENT_CONNECTEDNESS = "data_management_connectedness"
    AUTOMATION_AI = "automation_ai"
    GREEN_DIGITALISATION = "green_digitalisation"


class Sector(StrEnum):
    """Where a company works, coarse enough to decide whether an initiative fits it.

    The labels and the words that classify an intake's free-text sector live in
    ``knowledge/sectors.yaml``. A catalogue entry lists the sectors it fits, or ``any``.
    """

    ANY = "any"
    MANUFACTURING = "manufacturing"
    FOOD_PROCESSING = "food_processing"
    PRINTING = "printing"
    CONSTRUCTION = "construction"
    TRANSPORT_LOGISTICS = "transport_logistics"
    WHOLESALE_DISTRIBUTION = "wholesale_distribution"
    RETAIL = "retail"
    RESTAURANT_HOSPITALITY = "restaurant_hospitality"
    HEALTHCARE = "healthcare"
    LABORATORY = "laboratory"
    PROFESSIONAL_SERVICES = "professional_services"
    AGRICULTURE = "agriculture"
    NONPROFIT = "nonprofit"
    PERSONAL_SERVICES = "personal_services"


class Flow(StrEnum):
    """Which side of the company a document flow faces (orders, invoices, delivery proofs...)."""

    CUSTOMER = "customer"  # sales side: customer orders, receivables, proofs of delivery
    SUPPLIER = "supplier"  # purchasing side: purchase orders, payables, supplier documents
    INTERNAL = "internal"  # inside the company: production, staff, records


class Exposure(StrEnum):
    """Exposures that make a pain urgent whatever its cost: the plan raises what reduces them."""

    SECURITY = "security"  # ransomware, breaches, lost data
    SAFETY = "safety"  # injuries, accidents, inspections
    COMPLIANCE = "compliance"  # regulations, audits, certifications, fines
    PRIVACY = "privacy"  # personal and health data
    FOOD_SAFETY = "food_safety"  # recalls, food-safety audits


class Consequence(StrEnum):
    """What a pain statement says happens (``knowledge/severity.yaml``): severity follows from it."""

    STOPPED = "stopped"  # production or service stopped, waiting, out of stock
    MONEY = "money"  # money lost: waste, penalties, unbilled work, double payments
    CUSTOMERS = "customers"  # customers, contracts or sales lost
    SAFETY = "safety"
    COMPLIANCE = "compliance"
    SECURITY = "security"
    PRIVACY = "privacy"
    FOOD_SAFETY = "food_safety"
    OFTEN = "often"  # how often: every day, every week...
    RARE = "rare"  # sometimes, once a year
    MILD = "mild"  # "it would be nice", "pas grave"


class Measure(StrEnum):
    """Families of measures an objective targets and an initiative moves (``knowledge/measures.yaml``).

    An initiative supports an objective only when it moves the objective's kind of measure.
    """

    SALES = "sales"  # revenue, customers, market, donations
    SALES_CYCLE = "sales_cycle"  # quotes, proposals, bids
    MARGIN = "margin"  # costs, margins, profitability
    DELIVERY = "delivery"  # on-time, lead times, turnaround
    QUALITY = "quality"  # scrap, rework, errors, complaints about quality
    UPTIME = "uptime"  # breakdowns, downtime, maintenance
    SAFETY = "safety"  # accidents, injuries
    COMPLIANCE = "compliance"  # certification, audits, regulations, recalls
    CASH = "cash"  # invoicing, collections, payments
    INVENTORY = "inventory"  # stock accuracy, stockouts, losses of goods
    ENERGY = "energy"  # energy, fuel, emissions
    CUSTOMER_SERVICE = "customer_service"  # satisfaction, waiting, no-shows
    ADMIN_TIME = "admin_time"  # paperwork, data entry, payroll and reporting effort
    REPORTING = "reporting"  # indicators, dashboards, decisions from data
    PEOPLE = "people"  # turnover, hiring, training, skills
    PRODUCTIVITY = "productivity"  # output, capacity, billable utilisation
    IT_SECURITY = "it_security"  # cyber risk, backups, outages


class SizeBand(StrEnum):
    """Company size bands used for budget ranges (EU SME thresholds)."""

    MICRO = "micro"  # 1–9 employees
    SMALL = "small"  # 10–49 employees
    MEDIUM = "medium"  # 50 and more (SMEs up to 249; larger firms use this band)

    @classmethod
    def for_employees(cls, employees: int) -> SizeBand:
        if employees < 10:
            return cls.MICRO
        if employees < 50:
            return cls.SMALL
        return cls.MEDIUM
