"""Mark the open orders among o-0000000..o-0000059 as shipped (conditional updates)."""

import boto3

ddb = boto3.client("dynamodb")
shipped = 0
for i in range(60):
    try:
        ddb.update_item(
            TableName="orders", Key={"order_id": {"S": f"o-{i:07d}"}},
            UpdateExpression="SET #s = :shipped", ConditionExpression="#s = :open",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":shipped": {"S": "shipped"}, ":open": {"S": "open"}})
        shipped += 1
    except ddb.exceptions.ConditionalCheckFailedException:
        pass
print(f"shipped {shipped} orders")
