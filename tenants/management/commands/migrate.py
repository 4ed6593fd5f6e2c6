from tenants.management.commands.migrate_schemas import Command as MigrateSchemas


class Command(MigrateSchemas):
    """``migrate`` runs migrate_schemas: public, the template, then every institution."""
